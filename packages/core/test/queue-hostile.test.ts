import { afterEach, describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually } from '../../../test/harness/wait.js';
import { HydraConfigError } from '../src/errors.js';
import { MessageTooLargeError } from '../src/messaging/messaging-errors.js';
import { QueueConsumer, type QueueHandler } from '../src/queue/queue-consumer.js';
import { UnrecoverableJobError } from '../src/queue/queue-errors.js';
import type { QueueJob } from '../src/queue/queue-job.js';
import type { QueueConsumerOptions } from '../src/queue/queue-options.js';
import { WorkQueue } from '../src/queue/work-queue.js';
import { closeContexts, job, queueContext, uniqueService } from './queue-support.js';

describe('QueueConsumer and WorkQueue against hostile entries', () => {
  const topology = useTopology();
  const { keys } = topology;
  const consumers: QueueConsumer[] = [];
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop(100)));
    closeContexts();
  });

  async function setup(prefix: string) {
    const service = uniqueService(prefix);
    const warnings: string[] = [];
    const logger = {
      log: () => undefined,
      warn: (m: string) => warnings.push(m),
      error: (m: string) => warnings.push(m),
    };
    const ctx = await queueContext(topology, service, logger);
    const queue = new WorkQueue(ctx);
    const received = keys.queueReceived(service);
    const incomplete = keys.queueIncomplete(service);
    const consume = async (handler: QueueHandler, options: QueueConsumerOptions = {}) => {
      const consumer = new QueueConsumer(ctx, options, handler);
      consumers.push(consumer);
      await consumer.start();
      return consumer;
    };
    const idle = { received: 0, inProgress: 0, incomplete: 0, delayed: 0, leased: 0 };
    return { service, ctx, queue, consume, warnings, redis: ctx.redis, received, incomplete, idle };
  }

  it('moves entries that are not valid UMF to mqincomplete without running a handler, counted, logged once a second', async () => {
    const { service, queue, consume, warnings, redis, received, incomplete } = await setup('h-umf');
    const to = `${service}:/`;
    const hostile = [
      'not json',
      'null',
      '[1,2]',
      // typ an object with a toString that is not a function: logging it threw, unhandled (fuzz seed 1)
      JSON.stringify({ to, frm: 'x:/', typ: { toString: 1 }, bdy: { n: 1 } }),
      JSON.stringify({ to, frm: 'x:/', mid: 5, bdy: { n: 1 } }),
      JSON.stringify({ to, frm: 'x:/', bdy: 0 }),
      JSON.stringify({ to, frm: 'x:/' }),
      JSON.stringify({ to: 'no-colon', frm: 'x:/', bdy: {} }),
      JSON.stringify({ to, from: 'x:/', body: { n: 1 } }), // long form: never what a producer writes
    ];
    await redis.lpush(received, ...hostile);
    await queue.queueMessage(job(service, { good: true }));
    const handled: QueueJob[] = [];
    const consumer = await consume((j) => void handled.push(j));
    await eventually(async () => (await queue.depths(service)).incomplete === hostile.length);
    await eventually(() => handled.length === 1);
    expect(handled[0].payload).toEqual({ good: true });
    expect(consumer.stats).toMatchObject({ rejected: hostile.length, deadLettered: 0, completed: 1 });
    const dead = await redis.lrange(incomplete, 0, -1);
    expect(dead.slice(0, 3)).toEqual(['not json', 'null', '[1,2]']);
    expect(JSON.parse(dead[3]!).bdy.reason).toMatch(/^it is not a valid UMF message: "typ" must be a string/);
    expect(dead[5]).toBe(hostile[5]); // no object body to carry a reason: stored as it was
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /moved an entry to mqincomplete without running it, as it is not a JSON object/,
    );
  });

  it('runs a Hydra 1.x message whose frm is not a route (Hydra does not check it)', async () => {
    const { service, consume, redis, received } = await setup('h-frm');
    await redis.lpush(received, JSON.stringify({ to: `${service}:/`, frm: 'web', mid: 'm1', bdy: { n: 1 } }));
    const handled: QueueJob[] = [];
    await consume((j) => void handled.push(j));
    await eventually(() => handled.length === 1);
    expect(handled[0].mid).toBe('m1');
  });

  it('moves an entry that is not valid UTF-8 to mqincomplete byte for byte, instead of redelivering it for ever', async () => {
    const { service, queue, consume, redis, received, incomplete, idle } = await setup('h-utf8');
    const bytes = Buffer.concat([
      Buffer.from(`{"to":"${service}:/","frm":"x:/","bdy":{"t":"`),
      Buffer.from([0xff, 0xc3]),
      Buffer.from('"}}'),
    ]);
    await redis.lpush(received, bytes);
    const handled: QueueJob[] = [];
    const consumer = await consume((j) => void handled.push(j));
    await eventually(async () => (await queue.depths(service)).incomplete === 1);
    expect(await queue.depths(service)).toEqual({ ...idle, incomplete: 1 });
    expect(await redis.lindexBuffer(incomplete, 0)).toEqual(bytes);
    expect(handled).toEqual([]);
    expect(consumer.stats.rejected).toBe(1);
  });

  it('moves a message over maxMessageBytes to mqincomplete untouched and keeps consuming', async () => {
    const { service, queue, consume, warnings, redis, received, incomplete } = await setup('h-size');
    const big = JSON.stringify(job(service, { blob: 'x'.repeat(2000) }));
    await redis.lpush(received, big);
    await queue.queueMessage(job(service, { small: true }));
    const handled: QueueJob[] = [];
    const consumer = await consume((j) => void handled.push(j), { maxMessageBytes: 1000 });
    await eventually(() => handled.length === 1);
    expect(handled[0].payload).toEqual({ small: true });
    expect(await redis.lrange(incomplete, 0, -1)).toEqual([big]);
    expect(consumer.stats.rejected).toBe(1);
    expect(warnings[0]).toMatch(
      /moved 1 message over queue.maxMessageBytes \(1000 bytes; the largest: \d+\)/,
    );
  });

  it('queueMessage refuses a message over queue.maxMessageBytes (default 8 MiB) before queueing it', async () => {
    const { service, ctx, queue } = await setup('h-produce');
    const small = new WorkQueue(ctx, { maxMessageBytes: 1000 });
    const refused = await small
      .queueMessage(job(service, { blob: 'é'.repeat(600) }))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MessageTooLargeError);
    expect(refused).toMatchObject({ statusCode: 413, limit: 1000, option: 'queue.maxMessageBytes' });
    expect((refused as Error).message).toMatch(
      /over the 1000-byte limit \(queue.maxMessageBytes\), so it was not queued/,
    );
    const huge = job(service, { blob: 'x'.repeat(8 * 1024 * 1024) });
    await expect(queue.queueMessage(huge)).rejects.toBeInstanceOf(MessageTooLargeError);
    expect((await queue.depths(service)).received).toBe(0);
    expect(() => new WorkQueue(ctx, { maxMessageBytes: 0 })).toThrow(HydraConfigError);
    expect(() => new WorkQueue(ctx, { maxMessageBytes: 0 })).toThrow(/queue.maxMessageBytes is 0/);
  });

  it('stores a dead letter nested deeper than JSON.stringify goes as it was, and logs dead letters once a second', async () => {
    const { service, queue, consume, warnings, redis, received, incomplete } = await setup('h-deep');
    const depth = 100_000;
    const deep = `{"to":"${service}:/","frm":"x:/","bdy":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
    await redis.lpush(received, deep);
    for (let n = 0; n < 20; n++) await queue.queueMessage(job(service, { n }));
    const consumer = await consume(
      () => {
        throw new UnrecoverableJobError('no');
      },
      { concurrency: 4 },
    );
    await eventually(async () => (await queue.depths(service)).incomplete === 21);
    expect(await redis.lindex(incomplete, 0)).toBe(deep);
    expect(consumer.stats.deadLettered).toBe(21);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/moved to mqincomplete on attempt 1: no \[1 dead letters so far\]/);
  });
});
