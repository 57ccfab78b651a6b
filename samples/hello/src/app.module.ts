import { Module } from '@nestjs/common';
import { HydraModule } from '@hydra-nest/nest';
import { HelloController } from './hello.controller.js';
import { HelloMessages } from './hello.messages.js';

@Module({
  imports: [
    HydraModule.forRoot({
      serviceName: 'hello-svc',
      serviceDescription: 'Says hello over HTTP (and UMF)',
      serviceVersion: '1.0.0',
      serviceIP: '127.0.0.1',
      redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15' },
    }),
  ],
  controllers: [HelloController, HelloMessages],
})
export class AppModule {}
