import type { UmfMessage, UmfRoute } from '@hydra-nest/umf';
import { repeatEvery, type StopRepeating } from '../repeat.js';

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
  /** When it expires, ms since the epoch. */
  deadline: number;
}

/** How often deadlines are checked; a request expires at most this much late. */
const SWEEP_MS = 25;

/**
 * Requests in flight, keyed by `mid` (replies carry it as `rmid`). Settling removes the entry and its
 * deadline, so each request settles exactly once.
 */
export class PendingRequests {
  private readonly byMid = new Map<string, PendingRequest>();
  private stopSweeping: StopRepeating | undefined;

  constructor(private readonly onTimeout: (pending: PendingRequest) => void) {}

  get size(): number {
    return this.byMid.size;
  }

  /**
   * Registers a request. Deadlines are checked by one shared timer (while anything is pending) rather
   * than a timer per request, which is measurably cheaper at tens of thousands of requests a second.
   */
  add(pending: PendingRequest): void {
    this.byMid.set(pending.message.mid, pending);
    this.stopSweeping ??= repeatEvery(SWEEP_MS, () => this.sweep());
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
      if (this.byMid.size === 0) this.stopSweeper();
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

  private sweep(): void {
    const now = Date.now();
    for (const pending of this.byMid.values()) {
      if (pending.deadline <= now) {
        this.take(pending.message.mid);
        this.onTimeout(pending);
      }
    }
  }

  private stopSweeper(): void {
    this.stopSweeping?.();
    this.stopSweeping = undefined;
  }
}
