import type { Sample } from './scraped-metric.js';

/** Upper bounds of the request latency buckets, seconds: 1 ms to 10 s. */
export const DEFAULT_LATENCY_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

interface Series {
  labels: Record<string, string>;
  counts: number[];
  sum: number;
  count: number;
}

/**
 * A histogram kept as plain arrays per label set (two map lookups and a short scan per observation),
 * turned into Prometheus' `_bucket`/`_sum`/`_count` samples only when scraped.
 */
export class LatencyHistogram {
  /** Route, then status: nested, so that no key string is built per observation. */
  private readonly series = new Map<string, Map<number, Series>>();

  constructor(
    private readonly name: string,
    private readonly buckets: readonly number[] = DEFAULT_LATENCY_BUCKETS,
  ) {}

  /** Records one duration, in seconds, under `route` and `status`. */
  observe(route: string, status: number, seconds: number): void {
    let byStatus = this.series.get(route);
    if (byStatus === undefined) this.series.set(route, (byStatus = new Map()));
    let series = byStatus.get(status);
    if (series === undefined) {
      series = {
        labels: { route, status: String(status) },
        counts: this.buckets.map(() => 0),
        sum: 0,
        count: 0,
      };
      byStatus.set(status, series);
    }
    const { buckets } = this;
    for (let i = 0; i < buckets.length; i++) {
      if (seconds <= buckets[i]!) {
        series.counts[i]!++;
        break;
      }
    }
    series.sum += seconds;
    series.count++;
  }

  /** The samples of every series: cumulative buckets with `le`, then `+Inf`, sum and count. */
  samples(): Sample[] {
    const samples: Sample[] = [];
    for (const { labels, counts, sum, count } of [...this.series.values()].flatMap((m) => [...m.values()])) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += counts[i]!;
        samples.push({
          metricName: `${this.name}_bucket`,
          labels: { ...labels, le: bound },
          value: cumulative,
        });
      });
      samples.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: count });
      samples.push({ metricName: `${this.name}_sum`, labels, value: sum });
      samples.push({ metricName: `${this.name}_count`, labels, value: count });
    }
    return samples;
  }
}
