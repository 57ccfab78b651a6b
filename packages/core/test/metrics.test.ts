import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import { sampleValue, scrape } from '../../../test/harness/prometheus.js';
import { Hydra } from '../src/hydra.js';
import { silentLogger } from '../src/logger.js';
import { errorBody, ERROR_REPLY_TYPE } from '../src/messaging/index.js';
import { collectHydraMetrics, RouteLabels, serveMetrics, type MetricsServer } from '../src/metrics/index.js';
import { LatencyHistogram } from '../src/metrics/latency-histogram.js';
import { QueueConsumer, WorkQueue } from '../src/queue/index.js';

const redis = useRedis();
const cleanup: Array<() => Promise<unknown> | unknown> = [];

afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function node(serviceName: string): Promise<Hydra> {
  const hydra = new Hydra({
    serviceName,
    serviceIP: '127.0.0.1',
    logger: silentLogger,
    redis: { url: redis.urlFor(15) },
    messaging: { handlerWaitMs: 200 },
  });
  cleanup.push(() => hydra.stop());
  await hydra.start();
  return hydra;
}

async function served(hydra: Hydra): Promise<{ url: string; registry: Registry }> {
  const registry = new Registry();
  const metrics = collectHydraMetrics(hydra, { registry });
  const server: MetricsServer = await serveMetrics({ port: 0, host: '127.0.0.1', registry });
  cleanup.push(
    () => server.close(),
    () => metrics.stop(),
  );
  return { url: `http://127.0.0.1:${server.port}/metrics`, registry };
}

describe('collectHydraMetrics + serveMetrics (plain Node)', () => {
  it('counts requests by route and status, with their latency, as a real scrape shows', async () => {
    const users = await node('users-svc');
    users.messaging.setHandler((message) => {
      if (message.to.endsWith('/missing')) {
        void users.messaging.reply(message, errorBody(404, 'NotFound', 'no such thing'), ERROR_REPLY_TYPE);
      } else void users.messaging.reply(message, { ok: true });
    });
    const web = await node('web-svc');
    const { url } = await served(web);
    const server = await served(users);

    await web.messaging.request({ to: 'users-svc:[get]/v1/users/7', bdy: {} });
    await web.messaging.request({ to: 'users-svc:[get]/v1/users/8', bdy: {} });
    await expect(web.messaging.request({ to: 'users-svc:[get]/missing', bdy: {} })).rejects.toThrow(/404/);
    await web.messaging.sendMessage({ to: 'users-svc:/v1/audit', bdy: { event: 1 } });

    const { status, contentType, samples } = await scrape(url);
    expect(status).toBe(200);
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const users7 = { route: 'users-svc:[get]/v1/users/:id' };
    expect(sampleValue(samples, 'hydra_messages_sent_total', { ...users7, kind: 'request' })).toBe(2);
    expect(
      sampleValue(samples, 'hydra_messages_sent_total', { route: 'users-svc:/v1/audit', kind: 'event' }),
    ).toBe(1);
    expect(sampleValue(samples, 'hydra_request_duration_seconds_count', { ...users7, status: '200' })).toBe(
      2,
    );
    expect(
      sampleValue(samples, 'hydra_request_duration_seconds_bucket', { ...users7, status: '200', le: '+Inf' }),
    ).toBe(2);
    expect(
      sampleValue(samples, 'hydra_messages_failed_total', {
        route: 'users-svc:[get]/missing',
        status: '404',
        side: 'client',
      }),
    ).toBe(1);
    expect(sampleValue(samples, 'hydra_messages_received_total', { ...users7, kind: 'reply' })).toBe(2);
    expect(sampleValue(samples, 'hydra_requests_in_flight')).toBe(0);
    expect(sampleValue(samples, 'hydra_service_instances', { service: 'users-svc' })).toBe(1);
    expect(sampleValue(samples, 'hydra_redis_connection_up', { connection: 'subscriber' })).toBe(1);
    expect(sampleValue(samples, 'hydra_redis_connection_losses_total', { connection: 'command' })).toBe(0);

    // The serving side: what it received, and the error it answered.
    const onServer = await eventually(async () => {
      const scraped = (await scrape(server.url)).samples;
      expect(sampleValue(scraped, 'hydra_messages_received_total', { route: 'users-svc:/v1/audit' })).toBe(1);
      return scraped;
    });
    expect(sampleValue(onServer, 'hydra_messages_received_total', { ...users7, kind: 'message' })).toBe(2);
    expect(sampleValue(onServer, 'hydra_messages_sent_total', { ...users7, kind: 'reply' })).toBe(2);
    expect(
      sampleValue(onServer, 'hydra_messages_failed_total', {
        route: 'users-svc:[get]/missing',
        status: '404',
        side: 'server',
      }),
    ).toBe(1);
  });

  it('counts messages refused because no handler serves them', async () => {
    const idle = await node('idle-svc'); // no handler: refused with 503 after handlerWaitMs
    const { url } = await served(idle);
    const web = await node('web-svc');
    await expect(web.messaging.request({ to: 'idle-svc:/v1/x', bdy: {} }, { retries: 0 })).rejects.toThrow(
      /503|no instance/i,
    );
    const { samples } = await scrape(url);
    expect(
      sampleValue(samples, 'hydra_messages_refused_total', {
        route: 'idle-svc:/v1/x',
        reason: 'not_serving',
      }),
    ).toBe(1);
  });

  it('reports queue depths and jobs completed, failed, retried and dead-lettered', async () => {
    const worker = await node('jobs-svc');
    const { url } = await served(worker);
    const queue = new WorkQueue(worker);
    const consumer = new QueueConsumer(worker, { maxAttempts: 2, backoff: { delayMs: 10 } }, (job) => {
      if ((job.payload as { fail?: boolean }).fail) throw new Error('cannot do it');
    });
    await queue.queueMessage({ to: 'jobs-svc:/', frm: 'web:/', bdy: { fail: false } });
    await queue.queueMessage({ to: 'jobs-svc:/', frm: 'web:/', bdy: { fail: true } });
    await queue.queueMessage({ to: 'jobs-svc:/', frm: 'web:/', bdy: { later: true } }, { delayMs: 60_000 });
    await consumer.start();
    cleanup.push(() => consumer.stop());

    const samples = await eventually(
      async () => {
        const scraped = (await scrape(url)).samples;
        expect(
          sampleValue(scraped, 'hydra_queue_jobs_total', { service: 'jobs-svc', outcome: 'dead_lettered' }),
        ).toBe(1);
        return scraped;
      },
      { timeoutMs: 10_000 },
    );
    const job = (outcome: string) =>
      sampleValue(samples, 'hydra_queue_jobs_total', { service: 'jobs-svc', outcome });
    expect([job('completed'), job('failed'), job('retried'), job('rejected')]).toEqual([1, 2, 1, 0]);
    const depth = (list: string) => sampleValue(samples, 'hydra_queue_depth', { service: 'jobs-svc', list });
    expect([depth('received'), depth('incomplete'), depth('delayed')]).toEqual([0, 1, 1]);
    expect(sampleValue(samples, 'hydra_queue_jobs_in_flight', { service: 'jobs-svc' })).toBe(0);

    // Counters outlive the consumer: a counter that went back to zero would read as a reset.
    await consumer.stop();
    const after = (await scrape(url)).samples;
    expect(sampleValue(after, 'hydra_queue_jobs_total', { service: 'jobs-svc', outcome: 'completed' })).toBe(
      1,
    );
  });

  it('answers 404 off its path, and stop() removes the metrics from the registry', async () => {
    const hydra = await node('lone-svc');
    const registry = new Registry();
    const metrics = collectHydraMetrics(hydra, { registry });
    const server = await serveMetrics({ port: 0, host: '127.0.0.1', registry });
    cleanup.push(() => server.close());
    expect((await fetch(`http://127.0.0.1:${server.port}/other`)).status).toBe(404);
    expect(await registry.metrics()).toContain('hydra_requests_in_flight 0');
    metrics.stop();
    expect(await registry.metrics()).not.toContain('hydra_');
  });
});

describe('RouteLabels', () => {
  it('drops the instance and query, folds value-like segments and caps distinct routes', () => {
    const labels = new RouteLabels(2);
    expect(labels.of('0123456789abcdef0123456789abcdef@users-svc:[get]/v1/users/42?x=1')).toBe(
      'users-svc:[get]/v1/users/:id',
    );
    expect(labels.of('users-svc:/v1/orders/3f2b1c9e-0b7a-4d2e-9a55-1c2d3e4f5a6b')).toBe(
      'users-svc:/v1/orders/:id',
    );
    expect(labels.of('users-svc:/v1/third')).toBe('other');
    expect(labels.of('users-svc:[get]/v1/users/43')).toBe('users-svc:[get]/v1/users/:id');
    expect(labels.of('not a route')).toBe('other');
  });
});

describe('LatencyHistogram', () => {
  it('writes cumulative buckets per route and status, with +Inf, sum and count', () => {
    const histogram = new LatencyHistogram('t', [0.01, 0.1]);
    histogram.observe('a:/', 200, 0.005);
    histogram.observe('a:/', 200, 0.05);
    histogram.observe('a:/', 200, 3);
    histogram.observe('a:/', 504, 5);
    const of = (status: string, metricName: string, le?: number | string) =>
      histogram
        .samples()
        .find(
          (s) =>
            s.metricName === metricName &&
            s.labels.status === status &&
            (le === undefined || s.labels.le === le),
        )?.value;
    expect([of('200', 't_bucket', 0.01), of('200', 't_bucket', 0.1), of('200', 't_bucket', '+Inf')]).toEqual([
      1, 2, 3,
    ]);
    expect([of('200', 't_sum'), of('200', 't_count')]).toEqual([3.055, 3]);
    expect([of('504', 't_bucket', 0.1), of('504', 't_bucket', '+Inf')]).toEqual([0, 1]);
  });
});
