import type { Sample } from './scraped-metric.js';

/**
 * Counts by a fixed list of label values, kept in one map under a joined key: one lookup and an
 * increment per event, the samples built only when scraped.
 */
export class LabelledCounts {
  private readonly counts = new Map<string, { values: string[]; n: number }>();

  constructor(private readonly labelNames: readonly string[]) {}

  /** Adds one to the count of `values` (in the order of the label names). */
  inc(...values: string[]): void {
    const key = values.join('\u0000');
    const entry = this.counts.get(key);
    if (entry === undefined) this.counts.set(key, { values, n: 1 });
    else entry.n++;
  }

  /** One sample per label set seen. */
  samples(): Sample[] {
    return [...this.counts.values()].map(({ values, n }) => ({
      labels: Object.fromEntries(this.labelNames.map((name, i) => [name, values[i]!])),
      value: n,
    }));
  }
}
