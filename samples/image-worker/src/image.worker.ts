import { Injectable, Logger, UsePipes, ValidationPipe } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { FlightRecorderService, Job, QueueWorker, type QueueJob } from '@hydra-nest/nest';
import { ResizeJobDto } from './resize-job.dto.js';

/**
 * Consumes image-svc's Hydra work queue. Any Hydra 1.x or hydra-nest service can queue a job with
 * `queueMessage({ to: 'image-svc:/', frm: 'me:/', typ: 'resize', bdy: { url, width } })`.
 */
@Injectable()
export class ImageWorker {
  private readonly logger = new Logger(ImageWorker.name);

  constructor(private readonly recorder: FlightRecorderService) {}

  @QueueWorker({ typ: 'resize', concurrency: 8, maxAttempts: 3 })
  @UsePipes(new ValidationPipe({ transform: true, whitelist: true }))
  async resize(@Payload() job: ResizeJobDto, @Job() context: QueueJob) {
    await new Promise((r) => setTimeout(r, 50)); // stands in for the real work
    const result = `${job.url} -> ${job.width}px wide`;
    this.logger.log(`resized ${result} (attempt ${context.attempt})`);
    await this.recorder.append('info', `resized ${result}`);
    return { resized: result };
  }
}
