import { Inject, Injectable, Optional } from '@nestjs/common';
import { WorkQueue, type Hydra } from '@hydra-nest/core';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';
import { HYDRA_MODULE_OPTIONS } from '../hydra.tokens.js';
import type { HydraModuleOptions } from '../interfaces/hydra-module-options.interface.js';

/**
 * The work queues of any service, on the application's Hydra connection: Hydra 1.x's verbs
 * (`queueMessage`, `getQueuedMessage`, `markQueueMessage`), delayed messages, and the operator verbs
 * `depths`, `peek`, `requeueIncomplete`, `purge`. Consuming is `@QueueWorker()`'s job. A message over
 * the module's `queue.maxMessageBytes` (default 8 MiB) is refused with `MessageTooLargeError` (413).
 *
 * @example
 * constructor(private readonly queue: QueueService) {}
 *
 * async upload(url: string) {
 *   await this.queue.queueMessage({ to: 'images-svc:/', frm: 'web-svc:/', typ: 'resize', bdy: { url } });
 *   await this.queue.queueMessage({ to: 'mail-svc:/', frm: 'web-svc:/', bdy: { url } }, { delayMs: 60_000 });
 * }
 */
@Injectable()
export class QueueService extends WorkQueue {
  constructor(
    @InjectHydra() hydra: Hydra,
    @Optional() @Inject(HYDRA_MODULE_OPTIONS) options?: HydraModuleOptions,
  ) {
    super(hydra, options?.queue);
  }
}
