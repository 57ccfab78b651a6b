import { Module } from '@nestjs/common';
import { HydraModule } from '@hydra-nest/nest';
import { ImageWorker } from './image.worker.js';

@Module({
  imports: [
    HydraModule.forRoot({
      serviceName: 'image-svc',
      serviceDescription: 'Resizes images from its Hydra work queue (a stand-in)',
      serviceVersion: '1.0.0',
      serviceIP: '127.0.0.1',
      redis: { url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15' },
    }),
  ],
  providers: [ImageWorker],
})
export class AppModule {}
