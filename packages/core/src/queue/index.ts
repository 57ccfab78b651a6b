export { QueueAdmin, type QueueDepths, type QueueListName, type QueuePeekEntry } from './queue-admin.js';
export { QueueConsumer, type QueueConsumerStats, type QueueHandler } from './queue-consumer.js';
export {
  QueueConnectionError,
  QueueError,
  QueueMessageError,
  UnrecoverableJobError,
} from './queue-errors.js';
export { QueueJob } from './queue-job.js';
export { QueueConsumerRegistry, type QueueJobCounts } from './queue-consumer-registry.js';
export {
  backoffDelay,
  defaultRetryPolicy,
  errorText,
  type QueueBackoffOptions,
  type QueueConsumerOptions,
  type QueueOptions,
  type QueueRetryDecision,
  type QueueRetryPolicy,
  type ResolvedConsumerOptions,
} from './queue-options.js';
export { WorkQueue, type QueueMessageOptions } from './work-queue.js';
