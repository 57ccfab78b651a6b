import { HydraError } from '../errors.js';

/** Base class of the work-queue errors. */
export class QueueError extends HydraError {}

/**
 * A message cannot be queued (missing `to`, `frm` or `bdy`, a bad route, a bad delay). The message
 * names the field and what to send instead.
 */
export class QueueMessageError extends QueueError {}

/**
 * Redis did not take a message to queue: the connection is down or dropped while the command was on
 * its way. The message names the service and the connection's state. Most often the message was not
 * queued; when the connection dropped after the command was sent it may have been, so a retry can
 * queue it twice: handlers should be idempotent (`job.mid`).
 */
export class QueueConnectionError extends QueueError {}

/**
 * Thrown by a queue handler (or raised for it, e.g. when `bdy` fails validation) to say that retrying
 * cannot help: the message goes straight to the service's incomplete list (`mqincomplete`) with this
 * error's message as `bdy.reason`.
 *
 * @example
 * if (!image.url) throw new UnrecoverableJobError('bdy.url is missing; the producer must send one');
 */
export class UnrecoverableJobError extends QueueError {}
