const SECONDS_KEPT = 3600;

/**
 * Requests per second of the past hour, per target (service name), as hydra-router's `/v1/router/stats`
 * reports them: for each target an array of 3,600 counts, oldest second first, the current one last.
 * Counting is O(1) with no allocation after a target's first request.
 */
export class PerSecondCounts {
  private readonly counts = new Map<string, { cells: Uint32Array; stamps: Float64Array }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one event for `target` in the current second. */
  count(target: string): void {
    const second = Math.floor(this.now() / 1000);
    let entry = this.counts.get(target);
    if (!entry) {
      entry = { cells: new Uint32Array(SECONDS_KEPT), stamps: new Float64Array(SECONDS_KEPT) };
      this.counts.set(target, entry);
    }
    const cell = second % SECONDS_KEPT;
    if (entry.stamps[cell] !== second) {
      entry.stamps[cell] = second;
      entry.cells[cell] = 0;
    }
    entry.cells[cell]!++;
  }

  /** `{target: counts}`: the last 3,600 seconds, oldest first; seconds without events are 0. */
  snapshot(): Record<string, number[]> {
    const now = Math.floor(this.now() / 1000);
    const out: Record<string, number[]> = {};
    for (const [target, { cells, stamps }] of this.counts) {
      const series = new Array<number>(SECONDS_KEPT);
      for (let i = 0; i < SECONDS_KEPT; i++) {
        const second = now - SECONDS_KEPT + 1 + i;
        const cell = second % SECONDS_KEPT;
        series[i] = stamps[cell] === second ? cells[cell]! : 0;
      }
      out[target] = series;
    }
    return out;
  }

  /** Events of `target` in the last `seconds` seconds. */
  recent(target: string, seconds: number): number {
    const series = this.snapshot()[target];
    return series ? series.slice(-seconds).reduce((a, b) => a + b, 0) : 0;
  }
}

/** The router's counters: HTTP requests, WebSocket messages and errors per service. */
export class RouterStats {
  /** Requests routed, per service. */
  readonly http = new PerSecondCounts();
  /** WebSocket messages routed, per service (counted by the WebSocket gateway, when mounted). */
  readonly ws = new PerSecondCounts();
  /** Requests answered with a status of 400 or more, per service. */
  readonly errors = new PerSecondCounts();

  /** hydra-router's `/v1/router/stats` result: `{httpStats, wsStats, errorStats}`. */
  snapshot(): {
    httpStats: Record<string, number[]>;
    wsStats: Record<string, number[]>;
    errorStats: Record<string, number[]>;
  } {
    return {
      httpStats: this.http.snapshot(),
      wsStats: this.ws.snapshot(),
      errorStats: this.errors.snapshot(),
    };
  }
}
