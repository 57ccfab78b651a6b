import type { UmfMessage, UmfRoute } from '@hydra-nest/umf';

/** One request waiting for its reply. */
export interface PendingRequest {
  readonly message: UmfMessage;
  readonly route: UmfRoute;
  readonly timeoutMs: number;
  /** Instances tried so far (the last one is the current target). */
  readonly tried: string[];
  /** Dispatch rounds so far, including rounds that found no instance. */
  attempts: number;
  readonly maxAttempts: number;
  resolve(reply: UmfMessage): void;
  reject(error: Error): void;
  timer?: NodeJS.Timeout;
}

/**
 * Requests in flight, keyed by `mid` (replies carry it as `rmid`). Settling removes the entry and its
 * deadline, so each request settles exactly once.
 */
export class PendingRequests {
  private readonly byMid = new Map<string, PendingRequest>();

  get size(): number {
    return this.byMid.size;
  }

  add(pending: PendingRequest, onTimeout: (pending: PendingRequest) => void): void {
    this.byMid.set(pending.message.mid, pending);
    pending.timer = setTimeout(() => {
      if (this.byMid.get(pending.message.mid) === pending) onTimeout(pending);
    }, pending.timeoutMs);
  }

  /** Whether the request with this `mid` is still waiting. */
  has(mid: string): boolean {
    return this.byMid.has(mid);
  }

  /** Removes and returns the request a reply answers, if it is still waiting. */
  take(mid: string): PendingRequest | undefined {
    const pending = this.byMid.get(mid);
    if (pending) {
      this.byMid.delete(mid);
      clearTimeout(pending.timer);
    }
    return pending;
  }

  /** Waiting requests whose current target is not among `present` instances of `service`. */
  orphansOf(service: string, present: Set<string>): PendingRequest[] {
    const orphans: PendingRequest[] = [];
    for (const pending of this.byMid.values()) {
      const current = pending.tried[pending.tried.length - 1];
      if (pending.route.service === service && current !== undefined && !present.has(current)) {
        orphans.push(pending);
      }
    }
    return orphans;
  }

  /** Rejects every waiting request. */
  rejectAll(error: (pending: PendingRequest) => Error): void {
    for (const mid of [...this.byMid.keys()]) {
      const pending = this.take(mid);
      pending?.reject(error(pending));
    }
  }
}
