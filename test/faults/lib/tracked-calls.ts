import { HydraError, RemoteError } from '@hydra-nest/core';

/**
 * How long after its own deadline a call may still settle before it counts as hung. The deadline
 * timers of hydra-nest and this tracker share one event loop, so a starved loop delays both alike.
 */
export const HUNG_MARGIN_MS = 2000;

/** One call: when it began and how it ended. */
export interface CallRecord {
  n: number;
  startedAt: number;
  /** Unset while it has neither resolved nor rejected. */
  settledAt?: number;
  ok?: boolean;
  /** The error's label when it failed (see {@link errorLabel}). */
  error?: string;
  /** The error's message when it failed. */
  message?: string;
  /** Whether that error is one of hydra-nest's typed errors. */
  typed?: boolean;
  /** It resolved, but with something else than what was asked (a reply to another request). */
  wrong?: boolean;
}

/** What a run of calls came to. */
export interface CallSummary {
  sent: number;
  completed: number;
  /** Failures by error label. */
  failed: Record<string, number>;
  /** Distinct messages of the failures, by error label, with how many calls failed with each. */
  failureMessages: Record<string, Record<string, number>>;
  /** Failures whose error is not a typed hydra-nest error. */
  untyped: number;
  /** Neither resolved nor rejected by their deadline + {@link HUNG_MARGIN_MS}. */
  hung: number;
  wrong: number;
  /** Longest time a call took to settle, ms. */
  slowestMs: number;
}

/** Options of {@link TrackedCalls}. */
export interface TrackedCallsOptions {
  /** Calls in flight at most. */
  concurrency: number;
  /** Calls started per second at most, over all workers. */
  ratePerSecond: number;
  /** How long calls are started for, ms. */
  durationMs: number;
  /** The deadline each call was given, ms (a call not settled by it + the margin is hung). */
  deadlineMs: number;
  /** The margin, ms. Default {@link HUNG_MARGIN_MS}. */
  hungMarginMs?: number;
}

/**
 * Makes paced calls (`call(n)` for n = 0, 1, ...) from `concurrency` workers for `durationMs` and
 * tracks every promise to its end: completed, failed (by error, typed or not), wrong, or hung. A worker
 * whose call hangs moves on after the deadline + margin; the call stays counted as hung.
 */
export class TrackedCalls {
  readonly records: CallRecord[] = [];
  private readonly settled = new Map<CallRecord, Promise<void>>();

  constructor(
    private readonly options: TrackedCallsOptions,
    /** Makes call `n`; resolves true when the result is the right one. */
    private readonly call: (n: number) => Promise<boolean>,
  ) {}

  /** Runs the calls; resolves once every call has settled or passed its hung deadline. */
  async run(): Promise<CallSummary> {
    const { concurrency, ratePerSecond, durationMs } = this.options;
    const start = Date.now();
    const endAt = start + durationMs;
    const intervalMs = (concurrency * 1000) / ratePerSecond;
    const workers = Array.from({ length: concurrency }, (_, i) =>
      this.worker(start + (i * intervalMs) / concurrency, intervalMs, endAt),
    );
    await Promise.all(workers);
    await Promise.all(this.records.map((r) => this.settledOrHung(r)));
    return this.summary();
  }

  /** What the calls came to so far. */
  summary(): CallSummary {
    const failed: Record<string, number> = {};
    const failureMessages: Record<string, Record<string, number>> = {};
    let untyped = 0;
    let slowestMs = 0;
    for (const r of this.records) {
      if (r.settledAt !== undefined) slowestMs = Math.max(slowestMs, r.settledAt - r.startedAt);
      if (r.ok === false && !this.isHung(r)) {
        failed[r.error!] = (failed[r.error!] ?? 0) + 1;
        // Ids and numbers vary per call; without them the same failure reads the same.
        const message = r.message!.replace(/[0-9a-f]{32}|[0-9a-f-]{36}|\d+/g, '#');
        const messages = (failureMessages[r.error!] ??= {});
        messages[message] = (messages[message] ?? 0) + 1;
        if (!r.typed) untyped++;
      }
    }
    return {
      sent: this.records.length,
      completed: this.records.filter((r) => r.ok && !r.wrong && !this.isHung(r)).length,
      failed,
      failureMessages,
      untyped,
      hung: this.records.filter((r) => this.isHung(r)).length,
      wrong: this.records.filter((r) => r.wrong).length,
      slowestMs,
    };
  }

  /** How many calls succeeded but took longer than `ms`. */
  slowerThan(ms: number): number {
    return this.records.filter((r) => r.ok && r.settledAt! - r.startedAt > ms).length;
  }

  /**
   * Time from `clearedAt` (the fault's end) until calls succeed again for good: the settle time of the
   * first call, begun at or after `startedAt` (the fault's start), from which on every call began
   * succeeded. 0 when they never stopped succeeding; undefined when the last call failed.
   */
  recoveryMs(fault: { startedAt: number; clearedAt: number }): number | undefined {
    const since = this.records
      .filter((r) => r.startedAt >= fault.startedAt)
      .sort((a, b) => a.startedAt - b.startedAt);
    let firstGood = since.length;
    for (let i = since.length - 1; i >= 0 && since[i]!.ok && !since[i]!.wrong; i--) firstGood = i;
    const first = since[firstGood];
    if (first?.settledAt === undefined) return undefined;
    return Math.max(0, first.settledAt - fault.clearedAt);
  }

  private async worker(firstAt: number, intervalMs: number, endAt: number): Promise<void> {
    let next = firstAt;
    while (next < endAt) {
      await sleep(next - Date.now());
      next = Math.max(next + intervalMs, Date.now());
      await this.settledOrHung(this.start());
    }
  }

  private start(): CallRecord {
    const record: CallRecord = { n: this.records.length, startedAt: Date.now() };
    this.records.push(record);
    let promise: Promise<boolean>;
    try {
      promise = this.call(record.n);
    } catch (error) {
      promise = Promise.reject(error);
    }
    this.settled.set(
      record,
      promise.then(
        (right) => {
          record.settledAt = Date.now();
          record.ok = true;
          record.wrong = !right;
        },
        (error: unknown) => {
          record.settledAt = Date.now();
          record.ok = false;
          [record.error, record.typed] = errorLabel(error);
          record.message = error instanceof Error ? error.message : String(error);
        },
      ),
    );
    return record;
  }

  /** Waits until the call settles or its hung deadline passes. */
  private async settledOrHung(record: CallRecord): Promise<void> {
    const hungAt = this.hungAt(record);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, hungAt - Date.now())));
    await Promise.race([this.settled.get(record), deadline]);
    clearTimeout(timer);
  }

  private hungAt(record: CallRecord): number {
    return record.startedAt + this.options.deadlineMs + (this.options.hungMarginMs ?? HUNG_MARGIN_MS);
  }

  private isHung(record: CallRecord): boolean {
    const hungAt = this.hungAt(record);
    return record.settledAt === undefined || record.settledAt > hungAt;
  }
}

/**
 * A short label for a failure: the name of the typed hydra-nest error (`HydraTimeoutError`,
 * `ServiceUnavailableError`, `MessagingConnectionError`, `QueueConnectionError`, a `RemoteError` with
 * its status), else `untyped <name>: <message>`; and whether it was typed.
 */
export function errorLabel(error: unknown): [label: string, typed: boolean] {
  if (error instanceof RemoteError) return [`RemoteError ${error.statusCode}`, true];
  if (error instanceof HydraError) return [error.name, true];
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error ? error.message : String(error);
  return [`untyped ${name}: ${message.slice(0, 60)}`, false];
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
