import { HydraError } from '../errors.js';

/** Base class of the work-queue errors. */
export class QueueError extends HydraError {}

/**
 * A message cannot be queued (missing `to`, `frm` or `bdy`, a bad route, a bad delay). The message
 * names the field and what to send instead.
 */
export class QueueMessageError extends QueueError {}

/**
 * Thrown by a queue handler (or raised for it, e.g. when `bdy` fails validation) to say that retrying
 * cannot help: the message goes straight to the service's incomplete list (`mqincomplete`) with this
 * error's message as `bdy.reason`.
 *
 * @example
 * if (!image.url) throw new UnrecoverableJobError('bdy.url is missing; the producer must send one');
 */
export class UnrecoverableJobError extends QueueError {}
