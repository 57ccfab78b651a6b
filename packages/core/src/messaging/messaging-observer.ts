import type { UmfMessage } from '@hydra-nest/umf';

/** What a message this instance sends is: a request (answered), an event, a broadcast or a reply. */
export type MessageKind = 'request' | 'event' | 'broadcast' | 'reply';

/**
 * What a received message is: one sent to this instance (`message`: a request or an event, the wire
 * does not tell them apart), to every instance of the service (`broadcast`), or a reply.
 */
export type ReceivedKind = 'message' | 'broadcast' | 'reply';

/** Why a received message went to no handler. */
export type RefusalReason = 'not_serving' | 'unauthenticated' | 'expired';

/**
 * Told what messaging does, for metrics and the like. Every call is synchronous and on the hot path:
 * keep it to a counter or two. Install one with `hydra.messaging.observe(observer)`.
 */
export interface MessagingObserver {
  /** A message left through the messaging API (a request once, whatever its retries). */
  sent?(message: UmfMessage, kind: MessageKind): void;
  /** A valid message arrived; replies to our own requests included. */
  received?(message: UmfMessage, kind: ReceivedKind): void;
  /** A received message was not handed to a handler. */
  refused?(message: UmfMessage, reason: RefusalReason): void;
  /**
   * A request of ours settled: `status` 200 for a reply, else the error's status code (the remote
   * handler's, 503 unavailable, 504 timed out, 502 for a lost connection). `startedAt` is `performance.now()`
   * when it was sent.
   */
  requestSettled?(request: UmfMessage, status: number, startedAt: number): void;
  /** This instance answered `request` with `status` (200, or an error reply's status code). */
  answered?(request: UmfMessage, status: number): void;
}

/**
 * The observers installed on one messenger. `active` is false while there are none, so that the hot
 * path pays one property read.
 *
 * @internal
 */
export class MessagingObservers {
  active = false;
  private list: MessagingObserver[] = [];

  add(observer: MessagingObserver): () => void {
    this.list = [...this.list, observer];
    this.active = true;
    return () => {
      this.list = this.list.filter((o) => o !== observer);
      this.active = this.list.length > 0;
    };
  }

  sent(message: UmfMessage, kind: MessageKind): void {
    for (const o of this.list) o.sent?.(message, kind);
  }

  received(message: UmfMessage, kind: ReceivedKind): void {
    for (const o of this.list) o.received?.(message, kind);
  }

  refused(message: UmfMessage, reason: RefusalReason): void {
    for (const o of this.list) o.refused?.(message, reason);
  }

  requestSettled(request: UmfMessage, status: number, startedAt: number): void {
    for (const o of this.list) o.requestSettled?.(request, status, startedAt);
  }

  answered(request: UmfMessage, status: number): void {
    for (const o of this.list) o.answered?.(request, status);
  }
}

/** The status a failed request counts under: its error's `statusCode`, else 502 (nothing came back). */
export function statusOfFailure(error: unknown): number {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : 502;
}
