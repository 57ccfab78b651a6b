/** One sample of a metric: its labels and value, and for a histogram which series it belongs to. */
export interface Sample {
  labels: Record<string, string | number>;
  value: number;
  /** `name_bucket`, `name_sum`, `name_count` for a histogram's series; the metric's name otherwise. */
  metricName?: string;
}

/** The kinds of metric the Prometheus text format knows and hydra-nest uses. */
export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * A metric whose samples are read when Prometheus scrapes, from counters hydra-nest keeps anyway: the
 * hot path pays nothing for it. Shaped as prom-client's registry expects (`name`, `help`, `type`,
 * `get()`), so it sits in any `Registry` beside prom-client's own metrics.
 */
export class ScrapedMetric {
  /** prom-client's cluster aggregation: sum the workers' samples. */
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    private readonly read: () => Sample[] | Promise<Sample[]>,
  ) {}

  /** The metric with its samples now (prom-client calls it on each scrape). */
  async get(): Promise<{
    name: string;
    help: string;
    type: MetricType;
    aggregator: string;
    values: Sample[];
  }> {
    const values = await this.read();
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Nothing to reset: the counters belong to the Hydra instance. */
  reset(): void {
    // samples are read afresh on each scrape
  }
}
