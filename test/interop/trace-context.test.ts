import { SpanKind } from '@opentelemetry/api';
import { Hydra, QueueConsumer, silentLogger, type QueueJob } from '@hydra-nest/core';
import type { UmfMessage } from '@hydra-nest/umf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parentOf, useTracing } from '../harness/otel.js';
import { useRedis } from '../harness/redis.js';
import { eventually } from '../harness/wait.js';
import { HydraPeer, type UMFShort } from './hydra-peer.js';

// Trace context travels in `hdr` (Hydra's `headers`), the one UMF field Hydra 1.x keeps when it
// normalises a message (createMessage drops unknown top-level fields) and copies into its replies.
const redis = useRedis();
const recorded = useTracing();

describe('trace context through a real Hydra 1.x service in the middle', () => {
  let web: Hydra;
  let end: Hydra;
  let relay: HydraPeer;
  let consumer: QueueConsumer;
  const handled: UmfMessage[] = [];
  const jobs: QueueJob[] = [];

  beforeAll(async () => {
    const options = { serviceIP: '127.0.0.1', logger: silentLogger, redis: { url: redis.urlFor(15) } };
    web = new Hydra({ ...options, serviceName: 'web-svc' });
    end = new Hydra({ ...options, serviceName: 'end-svc' });
    await Promise.all([web.start(), end.start()]);
    end.messaging.setHandler((message) => {
      handled.push(message);
    });
    consumer = new QueueConsumer(end, {}, (job) => {
      jobs.push(job);
    });
    await consumer.start();
    relay = await HydraPeer.start({ redisUrl: redis.urlFor(15), serviceName: 'relay-svc' });
  });

  afterAll(async () => {
    await consumer?.stop();
    await Promise.allSettled([relay?.stop(), web?.stop(), end?.stop()]);
  });

  const traceparentOf = (span: { spanContext(): { traceId: string; spanId: string } }) =>
    `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`;

  it("keeps the request's traceparent in the Hydra peer's reply", async () => {
    await relay.autoReply({ bodyTemplate: { relayed: true } });
    try {
      const reply = await web.messaging.request({ to: 'relay-svc:[post]/v1/hello', bdy: { n: 1 } });
      const send = recorded.one('send relay-svc');
      const received = relay.messages.find((m) => m.bdy && (m.bdy as { n?: number }).n === 1);
      expect(received?.hdr).toEqual({ traceparent: traceparentOf(send) });
      expect(reply.hdr).toEqual({ traceparent: traceparentOf(send) });
    } finally {
      await relay.autoReply(null);
    }
  });

  it('joins the trace of a message a Hydra service passes on, by sendMessage and by queueMessage', async () => {
    await web.messaging.sendMessage({ to: 'relay-svc:/v1/pass-on', bdy: { order: 7 } });
    const send = recorded.one('send relay-svc');
    const got: UMFShort = await relay.waitForMessage((m) => (m.bdy as { order?: number }).order === 7);
    expect(got.hdr).toEqual({ traceparent: traceparentOf(send) });

    // The Hydra service's own code passes the message on, changing only where it goes.
    await relay.call('sendMessage', { ...got, to: 'end-svc:/v1/end', frm: 'relay-svc:/' });
    await relay.call('queueMessage', { ...got, to: 'end-svc:/', frm: 'relay-svc:/' });
    await eventually(() => handled.length === 1 && jobs.length === 1, { what: 'message and job at end-svc' });
    expect(handled[0]!.hdr).toEqual({ traceparent: traceparentOf(send) });
    expect(jobs[0]!.message.hdr).toEqual({ traceparent: traceparentOf(send) });

    const processes = await eventually(() => {
      const spans = recorded.spans().filter((s) => s.name === 'process end-svc');
      expect(spans).toHaveLength(2);
      return spans;
    });
    for (const span of processes) {
      expect(span.kind).toBe(SpanKind.CONSUMER);
      expect(span.spanContext().traceId).toBe(send.spanContext().traceId);
      expect(parentOf(span)).toBe(send.spanContext().spanId);
    }
    expect(processes.map((s) => s.attributes['messaging.operation.name']).sort()).toEqual([
      'message',
      'queue',
    ]);
  });
});
