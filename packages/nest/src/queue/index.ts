export { Job } from './decorators/job.decorator.js';
export { QueueWorker } from './decorators/queue-worker.decorator.js';
export { QueueWorkerDefinitionError } from './errors/queue-worker-definition.error.js';
export type { QueueWorkerOptions } from './interfaces/queue-worker-options.interface.js';
export { QueueDispatcher, type QueueWorkerBinding } from './queue-dispatcher.js';
export { QueueService } from './queue.service.js';
export { QueueWorkerExplorer } from './queue-worker.explorer.js';
/** The core queue types a `@QueueWorker` handler needs, so it does not have to depend on core itself. */
export {
  QueueConnectionError,
  QueueJob,
  QueueMessageError,
  UnrecoverableJobError,
  type QueueBackoffOptions,
  type QueueDepths,
  type QueueListName,
  type QueueMessageOptions,
  type QueuePeekEntry,
} from '@hydra-nest/core';
