import type { UmfMessage } from '@hydra-nest/umf';
import { afterEach, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import { Hydra } from '../src/hydra.js';
import { silentLogger } from '../src/logger.js';
import { QueueConsumer, WorkQueue, type QueueJob } from '../src/queue/index.js';
import { activeTracer } from '../src/tracing/index.js';

// No OpenTelemetry SDK is registered in this file: messages leave exactly as Hydra 1.x would send them.
const redis = useRedis();
const started: Array<{ stop(): Promise<void> }> = [];

afterEach(async () => {
  for (const s of started.splice(0).reverse()) await s.stop();
});

async function node(serviceName: string): Promise<Hydra> {
  const hydra = new Hydra({
    serviceName,
    serviceIP: '127.0.0.1',
    logger: silentLogger,
    redis: { url: redis.urlFor(15) },
  });
  started.push(hydra);
  await hydra.start();
  return hydra;
}

describe('trace context without an OpenTelemetry SDK', () => {
  it('has no tracer, and adds no hdr to requests, replies, events or jobs', async () => {
    expect(activeTracer()).toBeUndefined();
    const seen: UmfMessage[] = [];
    const echo = await node('echo-svc');
    echo.messaging.setHandler((message) => {
      seen.push(message);
      if (message.bdy && (message.bdy as { ask?: boolean }).ask)
        void echo.messaging.reply(message, { ok: true });
    });
    const web = await node('web-svc');
    const reply = await web.messaging.request({ to: 'echo-svc:/v1/ask', bdy: { ask: true } });
    await web.messaging.sendMessage({ to: 'echo-svc:/v1/tell', bdy: { tell: true } });
    await eventually(() => seen.length === 2);
    expect(seen.map((m) => m.hdr)).toEqual([undefined, undefined]);
    expect(reply.hdr).toBeUndefined();

    const jobs: QueueJob[] = [];
    const consumer = new QueueConsumer(echo, {}, (job) => {
      jobs.push(job);
    });
    started.push(consumer);
    await consumer.start();
    await new WorkQueue(web).queueMessage({ to: 'echo-svc:/', frm: 'web-svc:/', bdy: { job: 1 } });
    await eventually(() => jobs.length === 1);
    expect(jobs[0]!.message.hdr).toBeUndefined();
  });

  it("leaves a caller's own headers as they are", async () => {
    const seen: UmfMessage[] = [];
    const echo = await node('echo-svc');
    echo.messaging.setHandler((message) => {
      seen.push(message);
    });
    const web = await node('web-svc');
    await web.messaging.sendMessage({ to: 'echo-svc:/', hdr: { 'x-tenant': 'acme' }, bdy: { n: 1 } });
    await eventually(() => seen.length === 1);
    expect(seen[0]!.hdr).toEqual({ 'x-tenant': 'acme' });
  });
});

describe('activeTracer', () => {
  it('sees an SDK registered after start, and its removal', async () => {
    const { trace } = await import('@opentelemetry/api');
    const { BasicTracerProvider } = await import('@opentelemetry/sdk-trace-base');
    expect(activeTracer()).toBeUndefined();
    trace.setGlobalTracerProvider(new BasicTracerProvider());
    try {
      const tracer = activeTracer();
      expect(tracer).toBeDefined();
      expect(activeTracer()).toBe(tracer);
      expect(tracer!.startSpan('x').isRecording()).toBe(true);
    } finally {
      trace.disable();
    }
    expect(activeTracer()).toBeUndefined();
  });
});
