import { register as globalRegistry, type Metric, type Registry } from 'prom-client';
import type { Hydra } from '../hydra.js';
import type { QueueDepths } from '../queue/queue-admin.js';
import { QueueAdmin } from '../queue/queue-admin.js';
import { DEFAULT_LATENCY_BUCKETS } from './latency-histogram.js';
import { MessagingMetrics } from './messaging-metrics.js';
import { DEFAULT_MAX_ROUTES, RouteLabels } from './route-labels.js';
import { ScrapedMetric, type Sample } from './scraped-metric.js';

/** Options of {@link collectHydraMetrics}; all optional. */
export interface HydraMetricsOptions {
  /** Where the metrics are registered. Default: prom-client's global `register`. */
  registry?: Registry;
  /** Prefix of every metric name. Default `hydra_`. */
  prefix?: string;
  /** Distinct `route` label values kept before further routes count as `other`. Default 500. */
  maxRoutes?: number;
  /** Upper bounds of the request latency buckets, seconds. Default 1 ms to 10 s. */
  latencyBuckets?: number[];
  /**
   * Services whose queue depths are reported, besides those consumed by this instance. Depths cost one
   * pipelined round trip to Redis per scrape, never anything on the hot path.
   */
  queues?: string[];
}

/** What {@link collectHydraMetrics} set up. */
export interface HydraMetrics {
  /** The registry the metrics are in (serve it with `serveMetrics` or `metricsHandler`). */
  readonly registry: Registry;
  /** Stops counting and removes the metrics from the registry. */
  stop(): void;
}

const QUEUE_LISTS: Array<keyof QueueDepths> = ['received', 'inProgress', 'incomplete', 'delayed', 'leased'];
const JOB_OUTCOMES = [
  ['completed', 'completed'],
  ['failed', 'failed'],
  ['retried', 'retried'],
  ['deadLettered', 'dead_lettered'],
  ['rejected', 'rejected'],
] as const;

/**
 * Exposes a Hydra instance's work in the Prometheus format through prom-client: messages sent,
 * received, failed and refused by route; request latency by route and status; requests in flight;
 * Redis connection losses; queue depths and jobs completed, failed, retried and dead-lettered; and
 * the instances seen of each service it talks to. Nearly everything is read at scrape time from what
 * the instance counts anyway; the rest is a map increment per message.
 *
 * @example
 * const metrics = collectHydraMetrics(hydra); // prom-client's global register
 * const server = await serveMetrics({ port: 9464 }); // GET http://host:9464/metrics
 */
export function collectHydraMetrics(hydra: Hydra, options: HydraMetricsOptions = {}): HydraMetrics {
  const registry = options.registry ?? globalRegistry;
  const p = options.prefix ?? 'hydra_';
  const routes = new RouteLabels(options.maxRoutes ?? DEFAULT_MAX_ROUTES);
  const messages = new MessagingMetrics(
    routes,
    `${p}request_duration_seconds`,
    options.latencyBuckets ?? DEFAULT_LATENCY_BUCKETS,
  );
  const stats = hydra.messaging.stats;
  const admin = new QueueAdmin(hydra);
  const queueServices = () => [...new Set([...(options.queues ?? []), ...hydra.queueConsumers.services()])];

  const metrics = [
    new ScrapedMetric(`${p}messages_sent_total`, 'UMF messages sent, by route and kind', 'counter', () =>
      messages.sentCounts.samples(),
    ),
    new ScrapedMetric(
      `${p}messages_received_total`,
      'Valid UMF messages received, by route and kind',
      'counter',
      () => messages.receivedCounts.samples(),
    ),
    new ScrapedMetric(
      `${p}messages_failed_total`,
      'Requests that ended in an error, by route and status; side=client: sent by this instance, side=server: answered by it',
      'counter',
      () => messages.failedCounts.samples(),
    ),
    new ScrapedMetric(
      `${p}messages_refused_total`,
      'Received messages no handler took, by route and reason (not_serving, unauthenticated, expired)',
      'counter',
      () => messages.refusedCounts.samples(),
    ),
    new ScrapedMetric(
      `${p}messages_malformed_total`,
      'Payloads dropped as not JSON or not valid UMF',
      'counter',
      () => [{ labels: {}, value: stats.malformed }],
    ),
    new ScrapedMetric(
      `${p}request_retries_total`,
      'Requests sent again to another instance',
      'counter',
      () => [{ labels: {}, value: stats.retries }],
    ),
    new ScrapedMetric(
      `${p}request_duration_seconds`,
      'Time from sending a request to its reply or error, by route and status',
      'histogram',
      () => messages.latency.samples(),
    ),
    new ScrapedMetric(`${p}requests_in_flight`, 'Requests waiting for their reply', 'gauge', () => [
      { labels: {}, value: hydra.messaging.inFlight },
    ]),
    new ScrapedMetric(
      `${p}redis_connection_losses_total`,
      'Times a Redis connection was lost (each followed by a reconnect attempt)',
      'counter',
      () => connectionLosses(hydra),
    ),
    new ScrapedMetric(`${p}redis_connection_up`, '1 while a Redis connection is usable', 'gauge', () =>
      connectionsUp(hydra),
    ),
    new ScrapedMetric(`${p}queue_depth`, 'Messages in a service work queue, by list', 'gauge', () =>
      queueDepths(admin, queueServices(), hydra),
    ),
    new ScrapedMetric(
      `${p}queue_jobs_total`,
      'Queue jobs of this instance by outcome (completed, failed, retried, dead_lettered, rejected)',
      'counter',
      () => jobCounts(hydra),
    ),
    new ScrapedMetric(`${p}queue_jobs_in_flight`, 'Queue jobs running now', 'gauge', () =>
      [...hydra.queueConsumers.counts()].map(([service, c]) => ({ labels: { service }, value: c.inFlight })),
    ),
    new ScrapedMetric(
      `${p}service_instances`,
      'Live instances seen of each service this instance talks to',
      'gauge',
      () => hydra.instances.watched().map(([service, value]) => ({ labels: { service }, value })),
    ),
  ];
  for (const metric of metrics) registry.registerMetric(metric as unknown as Metric);
  const unobserve = hydra.messaging.observe(messages);
  return {
    registry,
    stop() {
      unobserve();
      for (const metric of metrics) registry.removeSingleMetric(metric.name);
    },
  };
}

function connectionLosses(hydra: Hydra): Sample[] {
  const snapshot = hydra.connections.snapshot() ?? {};
  return (['command', 'subscriber'] as const).map((connection) => ({
    labels: { connection },
    value: snapshot[connection]?.losses ?? 0,
  }));
}

function connectionsUp(hydra: Hydra): Sample[] {
  return [
    { labels: { connection: 'command' }, value: hydra.redis.status === 'ready' ? 1 : 0 },
    { labels: { connection: 'subscriber' }, value: hydra.subscriber.status === 'ready' ? 1 : 0 },
  ];
}

async function queueDepths(admin: QueueAdmin, services: string[], hydra: Hydra): Promise<Sample[]> {
  if (!hydra.running) return [];
  const samples: Sample[] = [];
  const depths = await Promise.all(services.map((s) => admin.depths(s).catch(() => undefined)));
  services.forEach((service, i) => {
    const of = depths[i];
    if (of) for (const list of QUEUE_LISTS) samples.push({ labels: { service, list }, value: of[list] });
  });
  return samples;
}

function jobCounts(hydra: Hydra): Sample[] {
  const samples: Sample[] = [];
  for (const [service, counts] of hydra.queueConsumers.counts()) {
    for (const [field, outcome] of JOB_OUTCOMES) {
      samples.push({ labels: { service, outcome }, value: counts[field] });
    }
  }
  return samples;
}
