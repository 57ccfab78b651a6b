interface Sample {
  at: number;
  value: number;
}

/**
 * Rates per second of counters or levels sampled at each read, over a sliding window, so that one slow
 * read does not make the figure jump. Keys not sampled in a round are forgotten by {@link endRound}.
 */
export class RateMeter {
  private readonly samples = new Map<string, Sample[]>();
  private readonly sampled = new Set<string>();

  constructor(private readonly windowMs: number) {}

  /** Records `value` of `key` at `at` (ms) and returns its change per second over the window (0 at first). */
  rate(key: string, value: number, at: number): number {
    this.sampled.add(key);
    let list = this.samples.get(key);
    if (!list) this.samples.set(key, (list = []));
    list.push({ at, value });
    // Keep one sample older than the window, so the rate always spans the whole window.
    while (list.length > 2 && at - list[1]!.at >= this.windowMs) list.shift();
    const first = list[0]!;
    const seconds = (at - first.at) / 1000;
    return seconds > 0 ? round((value - first.value) / seconds) : 0;
  }

  /** Forgets the keys not sampled since the last call (a service that went away). */
  endRound(): void {
    for (const key of this.samples.keys()) if (!this.sampled.has(key)) this.samples.delete(key);
    this.sampled.clear();
  }
}

/** One decimal below 10, whole numbers above: what the page shows. */
function round(perSecond: number): number {
  return Math.abs(perSecond) < 10 ? Math.round(perSecond * 10) / 10 : Math.round(perSecond);
}
