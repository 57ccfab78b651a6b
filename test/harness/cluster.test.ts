import { Cluster, type ClusterOptions } from 'ioredis';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisCluster, useCluster } from './cluster.js';
import { eventually, sleep } from './wait.js';

const cluster = useCluster();
const clients: Cluster[] = [];

afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

/** An ioredis Cluster client on the test cluster, disconnected after the test. */
function connect(options: ClusterOptions = {}, nodes = cluster.nodes): Cluster {
  const client = new Cluster(nodes, options);
  client.on('error', () => undefined); // a node refusing connections while it is down: expected
  clients.push(client);
  return client;
}

/** A master other than the one on `port`. */
async function otherMaster(port: number): Promise<number> {
  return (await cluster.masters()).find((m) => m.port !== port)!.port;
}

/** The port of the master that serves `slot` according to the node on `port`. */
async function ownerSeenBy(port: number, slot: number): Promise<number | undefined> {
  const ranges = (await cluster.call(port, 'CLUSTER', 'SLOTS')) as Array<[number, number, [string, number]]>;
  return ranges.find(([start, end]) => start <= slot && slot <= end)?.[2][1];
}

/** Whether anything accepts a TCP connection on the loopback `port`. */
function listening(port: number): Promise<boolean> {
  const socket = net.connect({ host: '127.0.0.1', port });
  return new Promise<boolean>((resolve) => {
    socket.once('connect', () => resolve(true));
    socket.once('error', () => resolve(false));
  }).finally(() => socket.destroy());
}

describe('RedisCluster test harness', () => {
  it('starts 3 masters and 3 replicas on free loopback ports, every node saying cluster_state:ok', async () => {
    const ports = cluster.nodes.map((n) => n.port);
    expect(new Set(ports).size).toBe(6);
    expect(ports).not.toContain(6379);
    const masters = await cluster.masters();
    const replicas = await cluster.replicas();
    expect(masters).toHaveLength(3);
    expect(replicas).toHaveLength(3);
    expect(new Set(replicas.map((r) => r.masterPort))).toEqual(new Set(masters.map((m) => m.port)));
    for (const port of ports) expect(await cluster.call(port, 'CLUSTER', 'INFO')).toMatch(/cluster_state:ok/);
  });

  it('serves a key written through an ioredis Cluster client from the master of its slot', async () => {
    const client = connect();
    await client.set('harness:{written}', 'yes');
    expect(await client.get('harness:{written}')).toBe('yes');
    const { port } = await cluster.masterOf('harness:{written}');
    expect(await cluster.call(port, 'GET', 'harness:{written}')).toBe('yes');
  });

  it('moves a slot with its keys to another master, and a client that knew the old owner follows MOVED', async () => {
    const client = connect();
    const keys = Array.from({ length: 250 }, (_, i) => `harness:{moving}:${i}`);
    await client.mset(Object.fromEntries(keys.map((k) => [k, k])));
    const slot = await cluster.slotOf(keys[0]!);
    const from = (await cluster.nodeForSlot(slot)).port;
    const to = await otherMaster(from);
    expect(client.slots[slot]![0]).toBe(`127.0.0.1:${from}`);

    expect(await cluster.moveSlot(slot, to, { batch: 100 })).toEqual({ from, to, keys: 250 });
    expect(await cluster.call(to, 'CLUSTER', 'COUNTKEYSINSLOT', slot)).toBe(250);
    await expect(cluster.call(from, 'GET', keys[0]!)).rejects.toThrow(`MOVED ${slot} 127.0.0.1:${to}`);
    expect(await client.get(keys[7]!)).toBe(keys[7]);
    expect(client.slots[slot]![0]).toBe(`127.0.0.1:${to}`);
    for (const port of cluster.nodes.map((n) => n.port)) expect(await ownerSeenBy(port, slot)).toBe(to);
  });
});

// Sharded pub/sub as ioredis (node_modules/ioredis, 5.11.1 when written) does it on this cluster. These
// pin what hydra-nest's sharded pub/sub (issue #17) has to work with or around; when an ioredis upgrade
// changes one, the test says which.
describe('ioredis sharded pub/sub on the test cluster', () => {
  it('delivers an SPUBLISH to an SSUBSCRIBE as "smessage" with shardedSubscribers: true', async () => {
    const publisher = connect();
    const subscriber = connect({ shardedSubscribers: true });
    const received: string[] = [];
    subscriber.on('smessage', (channel: string, message: string) => received.push(`${channel} ${message}`));
    expect(await subscriber.ssubscribe('harness:{sharded}')).toBe(1);
    expect(await publisher.spublish('harness:{sharded}', 'hello')).toBe(1);
    await eventually(() => received.length > 0, { what: 'the smessage' });
    expect(received).toEqual(['harness:{sharded} hello']);
  });

  it('emits no "smessage" without shardedSubscribers although Redis delivered it (ioredis #1759)', async () => {
    const { port: owner } = await cluster.masterOf('harness:{plain}');
    // The one subscriber connection goes to a startup node: the owner here, so SSUBSCRIBE succeeds.
    const subscriber = connect({}, [{ host: '127.0.0.1', port: owner }]);
    const received: string[] = [];
    subscriber.on('smessage', (_channel: string, message: string) => received.push(message));
    subscriber.on('message', (_channel: string, message: string) => received.push(message));
    expect(await subscriber.ssubscribe('harness:{plain}')).toBe(1);
    expect(await connect().spublish('harness:{plain}', 'lost')).toBe(1);
    await sleep(300);
    expect(received).toEqual([]);
  });

  it('leaves an SSUBSCRIBE that meets MOVED pending for ever, without shardedSubscribers (ioredis #1988)', async () => {
    const { port: owner } = await cluster.masterOf('harness:{pending}');
    const subscriber = connect({}, [{ host: '127.0.0.1', port: await otherMaster(owner) }]);
    await subscriber.ping();
    const outcome = await Promise.race([
      subscriber.ssubscribe('harness:{pending}').then(
        () => 'resolved',
        () => 'rejected',
      ),
      sleep(1000).then(() => 'pending'),
    ]);
    expect(outcome).toBe('pending');
  });

  it('loses a subscription whose slot moves until a slot refresh; an SSUBSCRIBE meeting MOVED triggers one but stays pending', async () => {
    const publisher = connect();
    const subscriber = connect({ shardedSubscribers: true });
    const received: string[] = [];
    subscriber.on('smessage', (_channel: string, message: string) => received.push(message));
    const delivered = (channel: string, message: string) =>
      eventually(
        async () => (await publisher.spublish(channel, message)) === 1 && received.includes(message),
        { timeoutMs: 5000, intervalMs: 50, what: `${message} delivered on ${channel}` },
      );
    await subscriber.ssubscribe('harness:{moved}:a');
    await delivered('harness:{moved}:a', 'before');
    const slot = await cluster.slotOf('harness:{moved}:a');
    await cluster.moveSlot(slot, await otherMaster((await cluster.nodeForSlot(slot)).port));

    // The old owner sent SUNSUBSCRIBE; ioredis does not subscribe again by itself.
    await sleep(1500);
    expect(await publisher.spublish('harness:{moved}:a', 'lost')).toBe(0);

    // Another channel of that slot goes to the old owner: MOVED. The promise never settles, but the slot
    // refresh it causes makes ioredis subscribe the slot's channels, both of them, on the new owner.
    const second = subscriber.ssubscribe('harness:{moved}:b').then(
      () => 'resolved',
      () => 'rejected',
    );
    await delivered('harness:{moved}:a', 'after');
    await delivered('harness:{moved}:b', 'second');
    expect(await Promise.race([second, sleep(100).then(() => 'pending')])).toBe('pending');
  });

  it('subscribes again after a slot move at the next periodic refresh (slotsRefreshInterval)', async () => {
    const publisher = connect();
    const subscriber = connect({ shardedSubscribers: true, slotsRefreshInterval: 500 });
    const received: string[] = [];
    subscriber.on('smessage', (_channel: string, message: string) => received.push(message));
    await subscriber.ssubscribe('harness:{refreshed}');
    const slot = await cluster.slotOf('harness:{refreshed}');
    await cluster.moveSlot(slot, await otherMaster((await cluster.nodeForSlot(slot)).port));
    await eventually(
      async () =>
        (await publisher.spublish('harness:{refreshed}', 'back')) === 1 && received.includes('back'),
      { timeoutMs: 5000, intervalMs: 50, what: 'the subscription on the new owner' },
    );
  });
});

describe('RedisCluster failover', () => {
  it('promotes the replica of a killed master within 10 s; the old master comes back as its replica', async () => {
    const client = connect();
    const subscriber = connect({ shardedSubscribers: true });
    const received: string[] = [];
    subscriber.on('smessage', (_channel: string, message: string) => received.push(message));
    await subscriber.ssubscribe('harness:{failover}:channel');
    await client.set('harness:{failover}', 'kept');
    const { port: oldMaster } = await cluster.masterOf('harness:{failover}');
    const replica = (await cluster.replicas()).find((r) => r.masterPort === oldMaster)!;
    expect(await cluster.call(oldMaster, 'WAIT', 1, 2000)).toBe(1); // the key is on the replica too

    await cluster.kill(oldMaster);
    const { port, ms } = await cluster.waitForFailover(oldMaster);
    expect(port).toBe(replica.port);
    expect(ms).toBeLessThan(10_000);
    expect((await cluster.masters()).map((m) => m.port)).toContain(replica.port);
    expect(await client.get('harness:{failover}')).toBe('kept');
    // ioredis's sharded subscriber follows the failover by itself.
    await eventually(
      async () =>
        (await client.spublish('harness:{failover}:channel', 'after')) === 1 && received.includes('after'),
      { timeoutMs: 5000, intervalMs: 50, what: 'the sharded subscription on the new master' },
    );

    await cluster.restart(oldMaster);
    expect(await cluster.replicas()).toContainEqual({ host: '127.0.0.1', port: oldMaster, masterPort: port });
  }, 40_000);

  it('stop() kills every node and removes their directories', async () => {
    const ports = cluster.nodes.map((n) => n.port);
    const dirs = cluster.processes.map((p) => p.dir);
    await cluster.stop();
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    for (const port of ports) expect(await listening(port)).toBe(false);
  });
});

describe('RedisCluster start failure', () => {
  it("fails with redis-server's own words and leaves no process or directory behind", async () => {
    const broken = new RedisCluster({ extraArgs: ['--no-such-directive', 'yes'] });
    const error = (await broken.start().then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(error.message).toMatch(/^could not start a Redis Cluster: node \d did not start/);
    expect(error.message).toContain('Bad directive or wrong number of arguments');
    const dir = /\((\/\S+hydra-nest-cluster-[^/]+)\/node-\d\/redis\.log\)/.exec(error.message)?.[1];
    expect(dir).toBeDefined();
    expect(existsSync(dir!)).toBe(false);
    expect(broken.processes).toEqual([]);
  });
});
