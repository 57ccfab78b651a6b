import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Hydra, QueueConsumer, RemoteError, silentLogger, type QueueJob } from '@hydra-nest/core';
import { HydraModule, HydraTransport, QueueService, UmfHandler } from '@hydra-nest/nest';
import type { UmfMessage } from '@hydra-nest/umf';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parentOf, useTracing } from '../harness/otel.js';
import { useRedis } from '../harness/redis.js';
import { eventually } from '../harness/wait.js';

const redis = useRedis();
const recorded = useTracing();
const billed: QueueJob[] = [];

@Controller()
class OrdersController {
  constructor(private readonly queue: QueueService) {}

  @UmfHandler('[post]/v1/orders')
  async place(@Payload() order: { item: string }) {
    const job = await this.queue.queueMessage({
      to: 'billing-svc:/',
      frm: 'orders-svc:/',
      typ: 'invoice',
      bdy: order,
    });
    return { placed: order.item, invoice: job.mid };
  }

  @UmfHandler('[post]/v1/orders/refuse')
  refuse(): never {
    throw new Error('out of stock');
  }
}

describe('trace context across services and a queue (OpenTelemetry SDK registered)', () => {
  let orders: INestApplication;
  let web: Hydra;
  let billing: Hydra;
  let consumer: QueueConsumer;

  beforeAll(async () => {
    @Module({
      imports: [
        HydraModule.forRoot({
          serviceName: 'orders-svc',
          serviceIP: '127.0.0.1',
          logger: silentLogger,
          redis: { url: redis.urlFor(15) },
        }),
      ],
      controllers: [OrdersController],
    })
    class OrdersModule {}
    orders = await NestFactory.create(OrdersModule, { logger: false, abortOnError: false });
    orders.connectMicroservice({ strategy: orders.get(HydraTransport) });
    await orders.startAllMicroservices();
    await orders.init();
    const options = { serviceIP: '127.0.0.1', logger: silentLogger, redis: { url: redis.urlFor(15) } };
    web = new Hydra({ ...options, serviceName: 'web-svc' });
    billing = new Hydra({ ...options, serviceName: 'billing-svc' });
    await Promise.all([web.start(), billing.start()]);
    consumer = new QueueConsumer(billing, {}, (job) => {
      billed.push(job);
    });
    await consumer.start();
  });

  afterAll(async () => {
    await consumer?.stop();
    await Promise.allSettled([web?.stop(), billing?.stop(), orders?.close()]);
  });

  afterEach(() => {
    billed.length = 0;
  });

  it('makes one trace of a request, its handling in a Nest service, the job it queues and the job', async () => {
    const tracer = trace.getTracer('test');
    let reply: UmfMessage | undefined;
    await tracer.startActiveSpan('checkout', async (checkout) => {
      reply = await web.messaging.request({ to: 'orders-svc:[post]/v1/orders', bdy: { item: 'book' } });
      checkout.end();
    });
    await eventually(() => billed.length === 1, { what: 'the invoice job handled' });
    const root = recorded.one('checkout');
    const send = recorded.one('send orders-svc');
    const process = recorded.one('process orders-svc');
    const queue = recorded.one('send billing-svc');
    const job = await eventually(() => recorded.one('process billing-svc'));

    // One trace, each step the child of the one before.
    const traceId = root.spanContext().traceId;
    for (const span of [send, process, queue, job]) expect(span.spanContext().traceId).toBe(traceId);
    expect(parentOf(send)).toBe(root.spanContext().spanId);
    expect(parentOf(process)).toBe(send.spanContext().spanId);
    expect(parentOf(queue)).toBe(process.spanContext().spanId);
    expect(parentOf(job)).toBe(queue.spanContext().spanId);

    expect([send.kind, process.kind, queue.kind, job.kind]).toEqual([
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
      SpanKind.PRODUCER,
      SpanKind.CONSUMER,
    ]);
    expect(send.attributes).toMatchObject({
      'messaging.system': 'hydra',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'request',
      'messaging.destination.name': 'orders-svc',
      'messaging.hydra.route': 'orders-svc:[post]/v1/orders',
    });
    expect(process.attributes).toMatchObject({
      'messaging.system': 'hydra',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'orders-svc',
    });
    expect(queue.attributes).toMatchObject({
      'messaging.operation.name': 'queue',
      'messaging.hydra.type': 'invoice',
    });
    expect(job.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'queue',
      'messaging.consumer.group.name': 'billing-svc',
      'messaging.hydra.job.attempt': 1,
      'messaging.message.id': billed[0]!.mid,
    });
    // The wire: W3C traceparent in `hdr`, on the request's reply and on the queued job.
    const traceparent = (spanId: string) => `00-${traceId}-${spanId}-01`;
    expect(reply?.hdr).toEqual({ traceparent: traceparent(process.spanContext().spanId) });
    expect(billed[0]!.message.hdr).toEqual({ traceparent: traceparent(queue.spanContext().spanId) });
    // A request span lasts until its reply, so it encloses the handling.
    const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;
    expect(ms(send.endTime)).toBeGreaterThanOrEqual(ms(process.endTime));
  });

  it('marks the handling and the request failed when the handler throws', async () => {
    await expect(
      web.messaging.request({ to: 'orders-svc:[post]/v1/orders/refuse', bdy: {} }),
    ).rejects.toBeInstanceOf(RemoteError);
    const send = await eventually(() => recorded.one('send orders-svc'));
    const process = recorded.one('process orders-svc');
    expect(parentOf(process)).toBe(send.spanContext().spanId);
    expect(process.status.code).toBe(SpanStatusCode.ERROR);
    expect(send.status.code).toBe(SpanStatusCode.ERROR);
    expect(send.attributes['error.type']).toBe('RemoteError');
  });

  it('carries the context of events and broadcasts to their handlers', async () => {
    const seen: UmfMessage[] = [];
    billing.messaging.setHandler((message) => {
      seen.push(message);
    });
    await web.messaging.sendMessage({ to: 'billing-svc:/v1/notice', bdy: { n: 1 } });
    await web.messaging.sendBroadcastMessage({ to: 'billing-svc:/v1/flush', bdy: { n: 2 } });
    await eventually(() => seen.length === 2, { what: 'the event and the broadcast' });
    const sends = recorded.spans().filter((s) => s.name === 'send billing-svc');
    const handled = await eventually(() => {
      const spans = recorded.spans().filter((s) => s.name === 'process billing-svc');
      expect(spans).toHaveLength(2);
      return spans;
    });
    expect(sends.map((s) => s.attributes['messaging.operation.name']).sort()).toEqual(['broadcast', 'event']);
    for (const span of handled) {
      const parent = sends.find((s) => s.spanContext().spanId === parentOf(span));
      expect(parent?.spanContext().traceId).toBe(span.spanContext().traceId);
    }
    // Sent without an active span: each is the root of its own trace.
    expect(sends.every((s) => parentOf(s) === undefined)).toBe(true);
  });
});

describe('trace context of HTTP calls to instances (OpenTelemetry SDK registered)', () => {
  it('sends makeAPIRequest in a CLIENT span whose context the instance gets as its traceparent header', async () => {
    const received: Array<string | undefined> = [];
    const server = http.createServer((req, res) => {
      received.push(req.headers.traceparent as string | undefined);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"result":{"pong":true}}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const options = { serviceIP: '127.0.0.1', logger: silentLogger, redis: { url: redis.urlFor(15) } };
    const api = new Hydra({ ...options, serviceName: 'api-svc', servicePort: port });
    const caller = new Hydra({ ...options, serviceName: 'caller-svc' });
    try {
      await Promise.all([api.start(), caller.start()]);
      const response = await caller.messaging.makeAPIRequest({ to: 'api-svc:[get]/v1/ping', bdy: {} });
      expect(response.statusCode).toBe(200);
      const span = recorded.one('GET api-svc');
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.attributes['http.response.status_code']).toBe(200);
      const { traceId, spanId } = span.spanContext();
      expect(received).toEqual([`00-${traceId}-${spanId}-01`]);
    } finally {
      await Promise.allSettled([api.stop(), caller.stop()]);
      server.close();
    }
  });
});
