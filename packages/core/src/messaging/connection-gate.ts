import type { MessagingContext } from './messaging-context.js';
import type { PendingRequest } from './pending-requests.js';

/**
 * How long after this instance's connections came back a target that does not listen is waited for:
 * after a Redis restart or failover, instances subscribe again some hundreds of ms apart.
 */
const RECONNECT_GRACE_MS = 2000;

/**
 * Holds requests while a connection they need is away, and sends them once both are back: the
 * subscriber (a reply sent meanwhile would reach nobody) and, on a running instance, the command
 * connection (a PUBLISH would fail at once, since it queues nothing offline).
 */
export class ConnectionGate {
  private subscriberAway = false;
  private readonly held = new Set<PendingRequest>();
  private backAt = 0;

  constructor(
    private readonly ctx: MessagingContext,
    /** Sends a held request once the connections are back. */
    private readonly send: (pending: PendingRequest) => void,
  ) {}

  /** Holds `pending` when a connection it needs is away; false when it may be sent now. */
  hold(pending: PendingRequest): boolean {
    const closed =
      this.subscriberAway || (this.ctx.redis.status !== 'ready' && this.ctx.state() === 'running');
    if (closed) this.held.add(pending);
    return closed;
  }

  /** Whether `pending` waits here. */
  holds(pending: PendingRequest): boolean {
    return this.held.has(pending);
  }

  /** Stops holding `pending` (it expired); true when it was held. */
  release(pending: PendingRequest): boolean {
    return this.held.delete(pending);
  }

  /** Forgets every held request (they are being rejected). */
  clear(): void {
    this.held.clear();
  }

  /** The subscriber connection is gone: hold requests until {@link subscriberBack}. */
  subscriberLost(): void {
    this.subscriberAway = true;
  }

  /** The subscriber listens again. */
  subscriberBack(): void {
    this.subscriberAway = false;
    this.open();
  }

  /** The command connection is back. */
  commandBack(): void {
    this.open();
  }

  /**
   * A request could not be delivered because the connection or the cluster is in flux (a failover, a
   * slot move): instances will be subscribing again in a moment, as after this instance's own reconnect.
   */
  sawDisruption(): void {
    this.backAt = Date.now();
  }

  /**
   * Whether this instance's connections came back, or a request met a failover, a moment ago (others may
   * still be reconnecting).
   */
  recentlyBack(): boolean {
    return Date.now() - this.backAt < RECONNECT_GRACE_MS;
  }

  private open(): void {
    if (this.subscriberAway || this.ctx.redis.status !== 'ready') return;
    this.backAt = Date.now();
    const held = [...this.held];
    this.held.clear();
    for (const pending of held) this.send(pending);
  }
}
