/**
 * The `@QueueWorker()` handlers of a service do not fit together (two handlers for one `typ`, or two
 * without `typ`), or the Hydra instance is not running when they start. The message names the
 * handlers and what to change.
 */
export class QueueWorkerDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueWorkerDefinitionError';
  }
}
