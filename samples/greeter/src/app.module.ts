import { Module } from '@nestjs/common';
import { HydraModule } from '@hydra-nest/nest';
import { HydraMetricsModule } from '@hydra-nest/nest/metrics';
import { redisFromEnv } from '@hydra-nest/sample-config';
import { GreeterController } from './greeter.controller.js';

@Module({
  imports: [
    HydraModule.forRoot({
      serviceName: 'greeter-svc',
      serviceDescription: 'Greets over HTTP by asking hello-svc over UMF',
      serviceVersion: '1.0.0',
      serviceIP: '127.0.0.1',
      redis: redisFromEnv(), // REDIS_CLUSTER_NODES (a cluster) or REDIS_URL (one server)
      messaging: { timeoutMs: 2000 },
    }),
    HydraMetricsModule.forRoot(), // Prometheus metrics at GET /metrics on the HTTP port
  ],
  controllers: [GreeterController],
})
export class AppModule {}
