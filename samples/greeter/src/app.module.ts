import { Module } from '@nestjs/common';
import { HydraModule } from '@hydra-nest/nest';
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
  ],
  controllers: [GreeterController],
})
export class AppModule {}
