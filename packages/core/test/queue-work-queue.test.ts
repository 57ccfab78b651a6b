import { serializeMessage } from '@hydra-nest/umf';
import { afterEach, describe, expect, it } from 'vitest';
import { Keyspace } from '../src/keyspace.js';
import { useTopology } from '../../../test/harness/topology.js';
import { QueueConnectionError, QueueMessageError } from '../src/queue/queue-errors.js';
import { WorkQueue } from '../src/queue/work-queue.js';
import { scanKeys } from '../src/scan-keys.js';
import { closeContexts, job, queueContext, uniqueService } from './queue-support.js';

describe('WorkQueue: Hydra 1.x queue verbs and operator verbs', () => {
  const topology = useTopology();
  const { keys } = topology;
  afterEach(closeContexts);

  async function setup(prefix: string) {
    const service = uniqueService(prefix);
    const ctx = await queueContext(topology, service);
    return { service, ctx, queue: new WorkQueue(ctx), redis: ctx.redis };
  }

  it('queues with LPUSH on hydra:service:S:mqrecieved, byte-identical to Hydra, and dequeues FIFO', async () => {
    const { service, queue, redis } = await setup('wq-fifo');
    const first = await queue.queueMessage(job(service, { n: 1, text: 'é ü 😀' }));
    const second = await queue.queueMessage({ to: `${service}:[post]/v1/x`, from: 'web:/', body: { n: 2 } });
    expect(first.mid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await redis.lrange(keys.queueReceived(service), 0, -1)).toEqual([
      serializeMessage(second),
      serializeMessage(first),
    ]);
    expect(await queue.getQueuedMessage(service)).toEqual(first);
    expect(await queue.getQueuedMessage(service)).toEqual(second);
    expect(await queue.getQueuedMessage(service)).toBeNull();
    expect(await redis.llen(keys.queueInProgress(service))).toBe(2);
  });

  it('marks as Hydra does: LREM from its own in-progress list, RPUSH to incomplete with bdy.reason', async () => {
    const { service, queue, redis } = await setup('wq-mark');
    await queue.queueMessage(job(service, { n: 1 }));
    await queue.queueMessage(job(service, { n: 2 }));
    const a = (await queue.getQueuedMessage(service))!;
    const b = (await queue.getQueuedMessage(service))!;
    expect(await queue.markQueueMessage(a, true)).toMatchObject({
      bdy: { n: 1, reason: 'reason not provided' },
    });
    expect(await queue.markQueueMessage(b, false, 'disk full')).toBe(1);
    expect(await redis.llen(keys.queueInProgress(service))).toBe(0);
    const [stored] = await redis.lrange(keys.queueIncomplete(service), 0, -1);
    expect(JSON.parse(stored).bdy).toEqual({ n: 2, reason: 'disk full' });
    expect(stored).toBe(JSON.stringify(b));
  });

  it('refuses a message without frm or bdy, naming the fields', async () => {
    const { service, queue } = await setup('wq-invalid');
    await expect(queue.queueMessage({ to: `${service}:/`, bdy: { n: 1 } })).rejects.toThrow(
      QueueMessageError,
    );
    await expect(queue.queueMessage({ to: `${service}:/`, frm: 'a:/' })).rejects.toThrow(/"bdy"/);
    await expect(queue.queueMessage({ frm: 'a:/', bdy: { n: 1 } })).rejects.toThrow(/"to"/);
    await expect(queue.queueMessage(job(service, { n: 1 }), { delayMs: -5 })).rejects.toThrow(/delayMs/);
  });

  it('rejects with a QueueConnectionError naming the service when Redis is away; passes refusals on as they are', async () => {
    const { service, queue, redis } = await setup('wq-away');
    await redis.set(keys.queueReceived(service), 'not a list');
    await expect(queue.queueMessage(job(service, { n: 1 }))).rejects.toThrow(/WRONGTYPE/);
    redis.disconnect();
    const error = await queue.queueMessage(job(service, { n: 2 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueConnectionError);
    expect((error as Error).message).toMatch(
      new RegExp(`for ${service} was not queued: Redis did not answer`),
    );
  });

  it('puts a delayed message in the hn:delayed sorted set, scored by its due time, not in received', async () => {
    const { service, queue, redis } = await setup('wq-delay');
    const before = Date.now();
    const m = await queue.queueMessage(job(service, { n: 1 }), { delayMs: 5000 });
    const at = Date.now() + 60_000;
    await queue.queueMessage(job(service, { n: 2 }), { notBefore: new Date(at) });
    await queue.queueMessage(job(service, { n: 3 }), { notBefore: Date.now() - 1 }); // already due
    expect(await redis.llen(keys.queueReceived(service))).toBe(1);
    const delayed = await redis.zrange(keys.queueDelayed(service), 0, -1, 'WITHSCORES');
    expect(delayed[0]).toBe(serializeMessage(m));
    expect(Number(delayed[1])).toBeGreaterThanOrEqual(before + 4900);
    expect(Number(delayed[1])).toBeLessThanOrEqual(Date.now() + 5100);
    expect(Number(delayed[3])).toBe(at);
  });

  it("names hydra-nest's own queue keys so that none matches Hydra's unanchored SCAN patterns", () => {
    const hydraLayout = new Keyspace();
    const own = [
      hydraLayout.queueLeases('s'),
      hydraLayout.queueDelayed('s'),
      hydraLayout.queueDeliveries('s'),
      hydraLayout.queueDuplicates('s'),
      hydraLayout.queueUnleasedSeen('s'),
    ];
    expect(own).toEqual([
      'hydra:service:s:hn:leases',
      'hydra:service:s:hn:delayed',
      'hydra:service:s:hn:deliveries',
      'hydra:service:s:hn:dups',
      'hydra:service:s:hn:unleased',
    ]);
    for (const key of own) expect(key).not.toMatch(/:(service|routes|presence|health|log)$/);
  });

  it('reports depths, peeks in handling order, requeues dead letters without their reason, and purges', async () => {
    const { service, queue, redis } = await setup('wq-ops');
    for (let n = 1; n <= 4; n++) await queue.queueMessage(job(service, { n }));
    await queue.queueMessage(job(service, { n: 9 }), { delayMs: 60_000 });
    const taken = (await queue.getQueuedMessage(service))!;
    const original = JSON.stringify(taken);
    await queue.markQueueMessage(taken, false, 'bad input');

    expect(await queue.depths(service)).toEqual({
      received: 3,
      inProgress: 0,
      incomplete: 1,
      delayed: 1,
      leased: 0,
    });
    expect((await queue.peek(service, 'received', 2)).map((e) => e.message?.bdy)).toEqual([
      { n: 2 },
      { n: 3 },
    ]);
    const [dead] = await queue.peek(service, 'incomplete');
    expect(dead.message?.bdy).toEqual({ n: 1, reason: 'bad input' });
    const [later] = await queue.peek(service, 'delayed');
    expect(later.dueAt!.getTime()).toBeGreaterThan(Date.now() + 50_000);

    expect(await queue.requeueIncomplete(service)).toBe(1);
    expect(await redis.lindex(keys.queueReceived(service), 0)).toBe(original);
    expect(await queue.depths(service)).toMatchObject({ received: 4, incomplete: 0 });

    expect(await queue.purge(service, 'received')).toBe(4);
    expect(await queue.purge(service, 'all')).toBe(1);
    expect(await queue.depths(service)).toEqual({
      received: 0,
      inProgress: 0,
      incomplete: 0,
      delayed: 0,
      leased: 0,
    });
    const left = await scanKeys(redis, keys.aclKeyPattern());
    expect(left.filter((key) => key.includes(service))).toEqual([]);
    await expect(queue.peek(service, 'nope' as 'received')).rejects.toThrow(/unknown list "nope"/);
  });
});
