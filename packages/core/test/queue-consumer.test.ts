import { afterEach, describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually, sleep } from '../../../test/harness/wait.js';
import { QueueCommands } from '../src/queue/queue-commands.js';
import { QueueConsumer, type QueueHandler } from '../src/queue/queue-consumer.js';
import { UnrecoverableJobError } from '../src/queue/queue-errors.js';
import type { QueueJob } from '../src/queue/queue-job.js';
import type { QueueConsumerOptions } from '../src/queue/queue-options.js';
import { WorkQueue } from '../src/queue/work-queue.js';
import { closeContexts, job, queueContext, uniqueService } from './queue-support.js';

describe('QueueConsumer: leased, at-least-once consumption', () => {
  const topology = useTopology();
  const { keys } = topology;
  const consumers: QueueConsumer[] = [];
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop(100)));
    closeContexts();
  });

  async function setup(prefix: string) {
    const service = uniqueService(prefix);
    const ctx = await queueContext(topology, service);
    const queue = new WorkQueue(ctx);
    const consume = async (handler: QueueHandler, options: QueueConsumerOptions = {}) => {
      const consumer = new QueueConsumer(ctx, options, handler);
      consumers.push(consumer);
      await consumer.start();
      return consumer;
    };
    const depths = () => queue.depths(service);
    const idle = { received: 0, inProgress: 0, incomplete: 0, delayed: 0, leased: 0 };
    return { service, ctx, queue, consume, depths, idle, redis: ctx.redis };
  }

  it('delivers in FIFO order at concurrency 1 and leaves no trace once all are completed', async () => {
    const { service, queue, consume, depths, idle, redis } = await setup('c-fifo');
    for (let n = 1; n <= 20; n++) await queue.queueMessage(job(service, { n }));
    const seen: number[] = [];
    await consume((j) => void seen.push((j.payload as { n: number }).n));
    await eventually(() => seen.length === 20, { what: '20 messages' });
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    await eventually(async () => (await depths()).inProgress === 0);
    expect(await depths()).toEqual(idle);
    expect(await redis.exists(keys.queueDeliveries(service))).toBe(0);
  });

  it('waits on a blocking move when idle instead of polling, and wakes at once for a new message', async () => {
    const { service, queue, consume } = await setup('c-idle');
    const got: QueueJob[] = [];
    await consume((j) => void got.push(j), { blockTimeoutMs: 10_000 });
    await sleep(100);
    const evalshaCalls = () => topology.commandCalls('evalsha');
    const before = await evalshaCalls();
    await sleep(600);
    const after = await evalshaCalls();
    expect(after - before).toBeLessThanOrEqual(2);
    const sent = Date.now();
    await queue.queueMessage(job(service, { n: 1 }));
    await eventually(() => got.length === 1);
    expect(Date.now() - sent).toBeLessThan(200);
    expect(got[0]).toMatchObject({ service, attempt: 1, payload: { n: 1 } });
  });

  it('redelivers a message whose worker died once its lease expires, with attempt 2 and the first delivery time', async () => {
    const { service, ctx, queue, consume, depths, idle } = await setup('c-crash');
    await queue.queueMessage(job(service, { n: 1 }));
    // A worker takes it with a 300 ms lease and "dies": it never completes nor renews.
    const {
      taken: [taken],
    } = await new QueueCommands(ctx.redis, ctx.keys, service).settleAndTake([], 1, 300);
    expect(taken.attempt).toBe(1);
    expect(await depths()).toMatchObject({ received: 0, inProgress: 1, leased: 1 });
    const got: QueueJob[] = [];
    await consume((j) => void got.push(j), { leaseMs: 1000, reclaimIntervalMs: 100 });
    await eventually(() => got.length === 1, { what: 'redelivery' });
    expect(got[0].attempt).toBe(2);
    expect(got[0].isRedelivery).toBe(true);
    expect(got[0].firstDeliveredAt.getTime()).toBe(taken.firstDeliveredAt);
    await eventually(async () => (await depths()).inProgress === 0);
    expect(await depths()).toEqual(idle);
  });

  it('dead-letters a message whose workers keep dying on it once it reaches maxDeliveries', async () => {
    const { service, ctx, queue, consume, depths } = await setup('c-poison');
    await queue.queueMessage(job(service, { poison: true }));
    const commands = new QueueCommands(ctx.redis, ctx.keys, service);
    // Two workers take it and "die" (no completion, no renewal); each lease expires and it comes back.
    for (let delivery = 1; delivery <= 2; delivery++) {
      const {
        taken: [taken],
      } = await commands.settleAndTake([], 1, 50);
      expect(taken.attempt).toBe(delivery);
      await sleep(80);
      await commands.reclaimExpired();
    }
    const calls: QueueJob[] = [];
    await consume((j) => void calls.push(j), { maxDeliveries: 2, reclaimIntervalMs: 50 });
    await eventually(async () => (await depths()).incomplete === 1, { what: 'the dead letter' });
    expect(calls).toHaveLength(0);
    const [dead] = await queue.peek(service, 'incomplete');
    expect((dead.message?.bdy as { reason: string }).reason).toMatch(
      /^delivered 2 times without being settled \(maxDeliveries 2\); its worker may crash or stall on it$/,
    );
  });

  it('keeps a slow handler leased by renewing its lease', async () => {
    const { service, queue, consume } = await setup('c-renew');
    await queue.queueMessage(job(service, { n: 1 }));
    let calls = 0;
    await consume(
      async () => {
        calls++;
        await sleep(700);
      },
      { leaseMs: 200, reclaimIntervalMs: 50, concurrency: 2 },
    );
    await eventually(async () => (await queue.depths(service)).inProgress === 0 && calls > 0, {
      timeoutMs: 3000,
    });
    expect(calls).toBe(1);
  });

  it('retries with exponential backoff, then dead-letters to mqincomplete with bdy.reason', async () => {
    const { service, queue, consume, depths, redis } = await setup('c-retry');
    const m = await queue.queueMessage(job(service, { n: 1 }));
    const attempts: Array<{ attempt: number; at: number }> = [];
    await consume(
      (j) => {
        attempts.push({ attempt: j.attempt, at: Date.now() });
        throw new Error('flaky downstream');
      },
      { maxAttempts: 3, backoff: { delayMs: 150, factor: 2 }, promoteIntervalMs: 5000 },
    );
    await eventually(async () => (await depths()).incomplete === 1, { timeoutMs: 5000, what: 'dead letter' });
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(140);
    expect(attempts[2].at - attempts[1].at).toBeGreaterThanOrEqual(290);
    const [dead] = await redis.lrange(keys.queueIncomplete(service), 0, -1);
    expect(JSON.parse(dead)).toEqual({ ...m, bdy: { n: 1, reason: 'flaky downstream (after 3 attempts)' } });
    expect(await depths()).toMatchObject({ received: 0, inProgress: 0, delayed: 0, leased: 0 });
    expect(await redis.exists(keys.queueDeliveries(service))).toBe(0);
  });

  it('dead-letters at once on UnrecoverableJobError, and a non-JSON entry as it is', async () => {
    const { service, queue, consume, depths, redis } = await setup('c-unrecoverable');
    await queue.queueMessage(job(service, { n: 1 }));
    await redis.lpush(keys.queueReceived(service), 'not json');
    let calls = 0;
    await consume(() => {
      calls++;
      throw new UnrecoverableJobError('bdy.n must be even');
    });
    await eventually(async () => (await depths()).incomplete === 2);
    expect(calls).toBe(1);
    const dead = await redis.lrange(keys.queueIncomplete(service), 0, -1);
    expect(JSON.parse(dead[0]).bdy.reason).toBe('bdy.n must be even');
    expect(dead[1]).toBe('not json');
  });

  it('delivers a delayed message not before its due time', async () => {
    const { service, queue, consume } = await setup('c-delayed');
    const queuedAt = Date.now();
    await queue.queueMessage(job(service, { n: 1 }), { delayMs: 400 });
    await queue.queueMessage(job(service, { n: 2 }));
    const got: Array<{ n: number; at: number }> = [];
    await consume((j) => void got.push({ n: (j.payload as { n: number }).n, at: Date.now() }), {
      promoteIntervalMs: 50,
    });
    await eventually(() => got.length === 2, { what: 'both messages' });
    expect(got[0].n).toBe(2);
    expect(got[1].n).toBe(1);
    expect(got[1].at - queuedAt).toBeGreaterThanOrEqual(390);
  });

  it('on stop, waits for in-flight handlers, then returns the unfinished ones to received', async () => {
    const { service, queue, consume, depths } = await setup('c-shutdown');
    for (let n = 1; n <= 3; n++) await queue.queueMessage(job(service, { n }));
    const done: number[] = [];
    const consumer = await consume(
      async (j) => {
        const n = (j.payload as { n: number }).n;
        await sleep(n === 1 ? 50 : 5000);
        done.push(n);
      },
      { concurrency: 3 },
    );
    await eventually(() => consumer.stats.inFlight === 3);
    await consumer.stop(300);
    expect(done).toEqual([1]);
    expect(await depths()).toMatchObject({ received: 2, inProgress: 0, leased: 0, incomplete: 0 });
    expect((await queue.peek(service, 'received')).map((e) => e.message?.bdy)).toEqual([{ n: 2 }, { n: 3 }]);
  });

  it('never touches messages Hydra 1.x workers took (no lease) unless reclaimUnleased says so', async () => {
    const { service, queue, consume, depths } = await setup('c-hydra');
    await queue.queueMessage(job(service, { n: 1 }));
    const hydraTaken = await queue.getQueuedMessage(service);
    expect(hydraTaken).not.toBeNull();
    const got: QueueJob[] = [];
    const first = await consume((j) => void got.push(j), { leaseMs: 200, reclaimIntervalMs: 50 });
    await sleep(500);
    expect(got).toHaveLength(0);
    expect(await depths()).toMatchObject({ inProgress: 1, leased: 0 });
    await first.stop();

    await consume((j) => void got.push(j), {
      leaseMs: 200,
      reclaimIntervalMs: 50,
      reclaimUnleased: { afterMs: 200 },
    });
    await eventually(() => got.length === 1, { what: 'reclaimed Hydra message' });
    expect(got[0].message).toEqual(hydraTaken);
    await eventually(async () => (await depths()).inProgress === 0);
  });

  it('delivers each copy of an identical message string and recovers a crashed copy', async () => {
    const { service, ctx, queue, consume, depths, idle, redis } = await setup('c-dups');
    const m = await queue.queueMessage(job(service, { n: 1 }));
    await redis.lpush(keys.queueReceived(service), JSON.stringify(m));
    const commands = new QueueCommands(ctx.redis, ctx.keys, service);
    const {
      taken: [a, b],
    } = await commands.settleAndTake([], 2, 300);
    expect([a.raw, b.raw]).toEqual([JSON.stringify(m), JSON.stringify(m)]);
    // One copy completes, the other's worker dies: that copy must still come back.
    await commands.settleAndTake([{ kind: 'done', raw: a.raw }], 0, 300);
    expect(await depths()).toMatchObject({ inProgress: 1, leased: 1 });
    const got: QueueJob[] = [];
    await consume((j) => void got.push(j), { reclaimIntervalMs: 100 });
    await eventually(() => got.length === 1, { what: 'the crashed copy' });
    await eventually(async () => (await depths()).inProgress === 0);
    expect(await depths()).toEqual(idle);
  });

  it('takes in batches at high concurrency and completes everything', async () => {
    const { service, queue, consume, depths, idle } = await setup('c-batch');
    const redis = queue['ctx'].redis;
    const total = 2000;
    const pipeline = redis.pipeline();
    for (let n = 0; n < total; n++) {
      pipeline.lpush(keys.queueReceived(service), JSON.stringify({ ...job(service, { n }), mid: `m${n}` }));
    }
    await pipeline.exec();
    const seen = new Set<number>();
    const consumer = await consume(
      async (j) => {
        await sleep(1);
        seen.add((j.payload as { n: number }).n);
      },
      { concurrency: 50 },
    );
    await eventually(() => seen.size === total, { timeoutMs: 10_000, what: `${total} messages` });
    await eventually(async () => (await depths()).inProgress === 0);
    expect(await depths()).toEqual(idle);
    expect(consumer.stats.completed).toBe(total);
  });
});
