import { Cluster } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { UmfMessage } from '@hydra-nest/umf';
import { useCluster } from '../../../test/harness/cluster.js';
import { eventually } from '../../../test/harness/wait.js';
import type { HydraContext } from '../src/context.js';
import { Hydra } from '../src/hydra.js';
import { silentLogger } from '../src/logger.js';
import { QueueConsumer, WorkQueue } from '../src/queue/index.js';

// Issue #17: a hydra-nest deployment on a real 3-master, 3-replica Redis Cluster, with one connection
// option changed.
const cluster = useCluster();
const started: Hydra[] = [];
const consumers: QueueConsumer[] = [];
let reader: Cluster | undefined;

afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.stop()));
  await Promise.all(started.splice(0).map((h) => h.stop()));
});
afterAll(() => reader?.disconnect());

async function node(serviceName: string): Promise<Hydra> {
  const hydra = new Hydra({
    serviceName,
    serviceIP: '127.0.0.1',
    servicePort: 4000 + started.length,
    logger: silentLogger,
    redis: { cluster: { nodes: cluster.nodes } },
  });
  started.push(hydra);
  await hydra.start();
  return hydra;
}

function contextOf(hydra: Hydra): HydraContext {
  return { redis: hydra.redis, keys: hydra.keys, identity: hydra.identity, logger: hydra.logger };
}

function echo(hydra: Hydra): void {
  hydra.messaging.setHandler((m) => {
    if (m.rmid === undefined)
      hydra.messaging.reply(m, { by: hydra.instanceId, echo: m.bdy }).catch(() => undefined);
  });
}

describe('on a Redis Cluster', () => {
  it('registers with every key of a service under its hash tag, and instances find each other', async () => {
    const users = await node('users-svc');
    const client = await node('client-svc');
    await users.registerRoutes(['[get]/v1/users/:id']);
    reader ??= new Cluster(cluster.nodes);
    expect(await reader.exists(`hydra:service:{users-svc}:${users.instanceId}:presence`)).toBe(1);
    expect(await reader.hget('hydra:service:nodes', users.instanceId)).toContain('users-svc');
    const found = await client.discovery.instances('users-svc');
    expect(found.map((i) => i.instanceID)).toEqual([users.instanceId]);
    expect(await client.routes.routesOf('users-svc')).toContain('[get]/v1/users/:id');
  });

  it('answers requests over sharded pub/sub, load-balanced over the instances present', async () => {
    const a = await node('echo-svc');
    const b = await node('echo-svc');
    echo(a);
    echo(b);
    const client = await node('client-svc');
    await client.instances.watch('echo-svc');
    await eventually(() => client.instances.peek('echo-svc')!.length === 2);
    const by = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const reply = await client.messaging.request({ to: 'echo-svc:/', bdy: { i } });
      expect((reply.bdy as { echo: unknown }).echo).toEqual({ i });
      by.add((reply.bdy as { by: string }).by);
    }
    expect(by).toEqual(new Set([a.instanceId, b.instanceId]));
    reader ??= new Cluster(cluster.nodes);
    const stats = await Promise.all(
      reader
        .nodes('master')
        .map(async (n) => (await n.info('commandstats')).match(/cmdstat_spublish:calls=(\d+)/)?.[1]),
    );
    expect(stats.some((calls) => Number(calls) > 0)).toBe(true);
  });

  it('delivers a broadcast to every instance of the service', async () => {
    const seen: string[] = [];
    for (const hydra of [await node('cache-svc'), await node('cache-svc')]) {
      hydra.messaging.setHandler((_m: UmfMessage, broadcast) => broadcast && seen.push(hydra.instanceId));
    }
    const client = await node('client-svc');
    await client.messaging.sendBroadcastMessage({ to: 'cache-svc:/', bdy: { flush: true } });
    await eventually(() => seen.length === 2);
  });

  it('keeps config, the flight recorder and the work queue working', async () => {
    const worker = await node('jobs-svc');
    await worker.configs.put('jobs-svc:1.0.0', { limit: 3 });
    expect(await worker.configs.get('jobs-svc:1.0.0')).toEqual({ limit: 3 });
    await worker.flightRecorder.append('info', 'on a cluster');
    expect(
      (await worker.flightRecorder.latest()).some((e) => JSON.stringify(e).includes('on a cluster')),
    ).toBe(true);

    const queue = new WorkQueue(contextOf(worker));
    const done: unknown[] = [];
    const consumer = new QueueConsumer(contextOf(worker), { concurrency: 4 }, (job) => {
      done.push(job.message.bdy);
    });
    consumers.push(consumer);
    await consumer.start();
    for (let n = 0; n < 20; n++)
      await queue.queueMessage({ to: 'jobs-svc:/', frm: 'client-svc:/', bdy: { n } });
    await eventually(() => done.length === 20, { timeoutMs: 10_000 });
    expect(await queue.depths('jobs-svc')).toMatchObject({ received: 0, inProgress: 0 });
  });
});
