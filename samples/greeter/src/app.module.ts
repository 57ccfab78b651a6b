import { Module } from '@nestjs/common';
import { HydraModule } from '@hydra-nest/nest';
import { GreeterController } from './greeter.controller.js';

@Module({
  imports: [
    HydraModule.forRoot({
      serviceName: 'greeter-svc',
      serviceDescription: 'Greets over HTTP by asking hello-svc over UMF',
      serviceVersion: '1.0.0',
      serviceIP: '127.0.0.1',
      redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15' },
      messaging: { timeoutMs: 2000 },
    }),
  ],
  controllers: [GreeterController],
})
export class AppModule {}
