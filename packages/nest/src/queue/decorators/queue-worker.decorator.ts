import { DiscoveryService as NestDiscoveryService } from '@nestjs/core';
import type { QueueWorkerOptions } from '../interfaces/queue-worker-options.interface.js';

/**
 * Makes a provider method a worker of a Hydra work queue (`hydra:service:<svc>:mqrecieved`). The
 * method is called with the message body (`bdy`) and the {@link QueueJob}; Nest pipes, guards and
 * interceptors apply, so `@Payload() dto: ResizeDto` with a `ValidationPipe` validates the body.
 *
 * - Returning (or resolving) marks the message completed.
 * - Throwing retries it with backoff (`maxAttempts`, `backoff`), then moves it to `mqincomplete` with
 *   the error message as `bdy.reason`. A 4xx `HttpException` (what `ValidationPipe` throws for an
 *   invalid body) or an `UnrecoverableJobError` skips the retries.
 * - Delivery is at least once: a crashed or stopped worker's messages are delivered again, with
 *   `job.attempt > 1`. Make handlers idempotent (the message `mid` is a good key).
 *
 * @example
 * @Injectable()
 * class ImageWorker {
 *   @QueueWorker({ typ: 'resize', concurrency: 20, maxAttempts: 5 })
 *   async resize(@Payload() dto: ResizeDto, @Job() job: QueueJob) {
 *     await this.images.resize(dto.url, dto.width);
 *   }
 * }
 */
export const QueueWorker = NestDiscoveryService.createDecorator<QueueWorkerOptions | undefined>();
