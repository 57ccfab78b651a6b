import { Module } from '@nestjs/common';
import { HydraModule } from '@hydra-nest/nest';
import { HydraMetricsModule } from '@hydra-nest/nest/metrics';
import { redisFromEnv } from '@hydra-nest/sample-config';
import { ImageWorker } from './image.worker.js';

@Module({
  imports: [
    HydraModule.forRoot({
      serviceName: 'image-svc',
      serviceDescription: 'Resizes images from its Hydra work queue (a stand-in)',
      serviceVersion: '1.0.0',
      serviceIP: '127.0.0.1',
      redis: redisFromEnv(), // REDIS_CLUSTER_NODES (a cluster) or REDIS_URL (one server)
    }),
    // No HTTP server here: the metrics get a port of their own (PORT), at GET /metrics.
    HydraMetricsModule.forRoot({ port: Number(process.env.PORT ?? 3002), host: '127.0.0.1' }),
  ],
  providers: [ImageWorker],
})
export class AppModule {}
