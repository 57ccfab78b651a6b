import { Module } from '@nestjs/common';
import { HydraModule } from '@hydra-nest/nest';
import { HydraMetricsModule } from '@hydra-nest/nest/metrics';
import { redisFromEnv } from '@hydra-nest/sample-config';
import { HelloController } from './hello.controller.js';
import { HelloMessages } from './hello.messages.js';

@Module({
  imports: [
    HydraModule.forRoot({
      serviceName: 'hello-svc',
      serviceDescription: 'Says hello over HTTP (and UMF)',
      serviceVersion: '1.0.0',
      serviceIP: '127.0.0.1',
      redis: redisFromEnv(), // REDIS_CLUSTER_NODES (a cluster) or REDIS_URL (one server)
    }),
    HydraMetricsModule.forRoot(), // Prometheus metrics at GET /metrics on the HTTP port
  ],
  controllers: [HelloController, HelloMessages],
})
export class AppModule {}
