import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually, sleep } from '../../../test/harness/wait.js';
import { Discovery, type DiscoveryOptions, type InstanceInfo } from '../src/discovery.js';
import { InstanceCache, type InstanceCacheOptions } from '../src/instance-cache.js';
import type { RedisClient } from '../src/redis-client.js';
import {
  registryContext,
  removePresence,
  uniqueService,
  writeInstance,
  fakeInstanceId,
} from './registry-support.js';

const topology = useTopology();
const { keys } = topology;
let redis: RedisClient;
const caches: InstanceCache[] = [];
const clients: RedisClient[] = [];

beforeAll(() => {
  redis = topology.client();
});
afterEach(() => {
  for (const cache of caches.splice(0)) cache.close();
  for (const client of clients.splice(0)) client.disconnect();
});

/** A cache on its own connection (so a test may cut it), closed after the test. */
function newCache(options: InstanceCacheOptions = {}, discoveryOptions: DiscoveryOptions = {}) {
  const client = topology.client();
  clients.push(client);
  const ctx = registryContext(client, 'caller');
  const discovery = new Discovery(ctx, discoveryOptions);
  const cache = new InstanceCache(ctx, discovery, options);
  caches.push(cache);
  return { cache, discovery, client };
}

const ids = (list: InstanceInfo[] | undefined) => (list ?? []).map((i) => i.instanceID).sort();
const scans = () => topology.commandCalls('scan');

describe('InstanceCache', () => {
  it('loads a service on the first watch, sharing one load between concurrent first calls', async () => {
    const service = uniqueService('watch');
    const a = await writeInstance(redis, { service });
    const { cache, discovery } = newCache();
    let loads = 0;
    const original = discovery.instancesOf.bind(discovery);
    discovery.instancesOf = (services) => {
      loads++;
      return original(services);
    };
    expect(cache.peek(service)).toBeUndefined();
    const [first, second] = await Promise.all([cache.watch(service), cache.watch(service)]);
    expect(ids(first)).toEqual([a]);
    expect(second).toBe(first);
    expect(loads).toBe(1);
    expect(cache.isWatched(service)).toBe(true);
    expect(ids(cache.peek(service))).toEqual([a]);
  });

  it('learns of hand-written (Hydra 1.x style) instances appearing and leaving within 1.5 s, without SCAN', async () => {
    const service = uniqueService('churn');
    const scansBefore = await scans();
    const { cache } = newCache({ refreshMs: 250, discoverMs: 1000 });
    const changes: string[][] = [];
    cache.on('change', (s: string, list: InstanceInfo[]) => s === service && changes.push(ids(list)));
    const a = await writeInstance(redis, { service, ttlSeconds: 2 });
    expect(ids(await cache.watch(service))).toEqual([a]);

    const b = await writeInstance(redis, { service, ttlSeconds: 10 });
    const c = await writeInstance(redis, { service, ttlSeconds: 10 });
    await eventually(() => cache.get(service, b) && cache.get(service, c), {
      timeoutMs: 1500,
      what: 'the newcomers',
    });

    // c shuts down (deletes its presence key); a "crashes": its key expires at most 2 s after it was written.
    const left = Date.now();
    await removePresence(redis, service, c);
    await eventually(() => !cache.get(service, c), { timeoutMs: 500, what: 'c leaving' });
    expect(Date.now() - left).toBeLessThan(500);
    await eventually(() => ids(cache.peek(service)).join() === b, { timeoutMs: 2500, what: 'a expiring' });
    expect(changes[0]).toEqual([a]);
    expect(changes.at(-1)).toEqual([b]);
    expect(await scans()).toBe(scansBefore);
  });

  it('round-robins evenly over three instances, and picks at random or around excluded ones', async () => {
    const service = uniqueService('rr');
    const three = [
      await writeInstance(redis, { service }),
      await writeInstance(redis, { service }),
      await writeInstance(redis, { service }),
    ];
    const { cache } = newCache();
    await cache.watch(service);
    const counts = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const id = cache.pick(service)!.instanceID;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([...three].sort());
    expect([...counts.values()]).toEqual([100, 100, 100]);
    // consecutive picks never repeat an instance while three are available
    const run = [...Array(6)].map(() => cache.pick(service)!.instanceID);
    expect(new Set(run.slice(0, 3)).size).toBe(3);

    const random = new Set([...Array(200)].map(() => cache.pick(service, 'random')!.instanceID));
    expect(random.size).toBe(3);
    const exclude = new Set(three.slice(0, 2));
    expect(cache.pick(service, 'round-robin', exclude)!.instanceID).toBe(three[2]);
    expect(cache.pick(service, 'round-robin', new Set(three))).toBeUndefined();
    expect(cache.pick(uniqueService('unwatched'))).toBeUndefined();
    expect(cache.get(service, three[1]!)!.instanceID).toBe(three[1]);
  });

  it('picks from memory without touching Redis, even with the connection cut', async () => {
    const service = uniqueService('offline');
    const a = await writeInstance(redis, { service });
    const b = await writeInstance(redis, { service });
    const { cache, client } = newCache({ refreshMs: 100 });
    await cache.watch(service);
    const before = await topology.dataCommands();
    const picked = new Set([...Array(1000)].map(() => cache.pick(service)!.instanceID));
    const after = await topology.dataCommands();
    expect(after - before).toBeLessThanOrEqual(2); // at most one background check (two on a cluster)
    expect([...picked].sort()).toEqual([a, b].sort());

    client.disconnect();
    await sleep(250); // background refreshes now fail; the last known list is kept
    expect(ids(cache.peek(service))).toEqual([a, b].sort());
    expect(cache.pick(service)).toBeDefined();
  });

  it('drops an instance at once on markGone and does not let a refresh bring it back meanwhile', async () => {
    const service = uniqueService('gone');
    const a = await writeInstance(redis, { service });
    const b = await writeInstance(redis, { service });
    const { cache } = newCache({ refreshMs: 50, discoverMs: 50 });
    await cache.watch(service);
    const changed = new Promise<InstanceInfo[]>((resolve) =>
      cache.once('change', (_s, list) => resolve(list)),
    );
    cache.markGone(service, b);
    expect(ids(cache.peek(service))).toEqual([a]);
    expect(ids(await changed)).toEqual([a]);
    await sleep(300); // several rescans, b's presence key still alive
    expect(ids(cache.peek(service))).toEqual([a]);
    await cache.refreshAll();
    expect(ids(cache.peek(service))).toEqual([a]);
  });

  it('watches at most maxServices services, forgetting the one used least recently', async () => {
    const { cache } = newCache({ refreshMs: 60_000, discoverMs: 60_000, maxServices: 3 });
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((x) => uniqueService(`lru-${x}`)) as [
      string,
      string,
      string,
      string,
    ];
    for (const service of [a, b, c]) await cache.watch(service);
    cache.pick(a);
    await cache.watch(d); // b is the least recently used
    expect([a, b, c, d].map((s) => cache.isWatched(s))).toEqual([true, false, true, true]);
    expect(await cache.watch(b)).toEqual([]); // loaded again when used again
    expect(cache.isWatched(c)).toBe(false);
  });

  it('applies hydra-nest announcements at once, for watched services only', async () => {
    const service = uniqueService('announce');
    const { cache } = newCache({ refreshMs: 60_000, discoverMs: 60_000 });
    expect(await cache.watch(service)).toEqual([]);
    const id = fakeInstanceId();
    const instance = {
      serviceName: service,
      serviceDescription: 'announced',
      version: '2.0.0',
      instanceID: id,
      updatedOn: new Date().toISOString(),
      processID: 1,
      ip: '127.0.0.1',
      port: '4000',
      hostName: 'h',
    };
    const events: string[][] = [];
    cache.on('change', (_s, list: InstanceInfo[]) => events.push(ids(list)));
    cache.applyAnnouncement({ event: 'up', service, instanceId: id, instance });
    expect(cache.get(service, id)).toMatchObject({
      port: '4000',
      updatedOnTS: Date.parse(instance.updatedOn),
    });
    cache.applyAnnouncement({ event: 'up', service: 'unwatched-svc', instanceId: 'x', instance });
    expect(cache.peek('unwatched-svc')).toBeUndefined();
    cache.applyAnnouncement({ event: 'down', service, instanceId: id });
    expect(cache.peek(service)).toEqual([]);
    expect(events).toEqual([[id], []]);
  });

  it("follows a service's announcements from before its first lookup until it stops watching it", async () => {
    const calls: string[] = [];
    const announcements = {
      follow: async (service: string) => void calls.push(`follow ${service}`),
      unfollow: (service: string) => void calls.push(`unfollow ${service}`),
    };
    const { cache, discovery } = newCache({
      refreshMs: 60_000,
      discoverMs: 60_000,
      maxServices: 1,
      announcements,
    });
    const lookup = discovery.instancesOf.bind(discovery);
    discovery.instancesOf = (services) => {
      calls.push(`lookup ${services.join()}`);
      return lookup(services);
    };
    const [a, b] = [uniqueService('feed-a'), uniqueService('feed-b')];
    await cache.watch(a);
    await cache.watch(a); // from memory: no second subscription
    await cache.watch(b); // past maxServices: a is forgotten, and so are its announcements
    expect(calls).toEqual([`follow ${a}`, `lookup ${a}`, `follow ${b}`, `lookup ${b}`, `unfollow ${a}`]);
    cache.close();
    expect(calls.at(-1)).toBe(`unfollow ${b}`);
  });

  it('keeps an arrival announced while the first lookup of its service ran', async () => {
    const service = uniqueService('early');
    const { cache, discovery } = newCache({ refreshMs: 60_000, discoverMs: 60_000 });
    const id = fakeInstanceId();
    const lookup = discovery.instancesOf.bind(discovery);
    discovery.instancesOf = async (services) => {
      const found = await lookup(services); // read before the newcomer's keys exist
      cache.applyAnnouncement({
        event: 'up',
        service,
        instanceId: id,
        instance: {
          serviceName: service,
          serviceDescription: 'early',
          version: '1.0.0',
          instanceID: id,
          updatedOn: new Date().toISOString(),
          processID: 1,
          ip: '127.0.0.1',
          port: 4000,
          hostName: 'h',
        },
      });
      return found;
    };
    expect(ids(await cache.watch(service))).toEqual([id]);
  });

  it('keeps an instance announced while a SCAN was under way, which that SCAN could not see', async () => {
    const service = uniqueService('race');
    const { cache, discovery } = newCache({ refreshMs: 60_000, discoverMs: 60_000 });
    await cache.watch(service);
    const original = discovery.instancesOf.bind(discovery);
    discovery.instancesOf = async (services) => {
      const found = await original(services);
      await sleep(100); // the announcement arrives while this SCAN's answer is on its way
      return found;
    };
    const refreshing = cache.refreshAll();
    const id = fakeInstanceId();
    cache.applyAnnouncement({
      event: 'up',
      service,
      instanceId: id,
      instance: {
        serviceName: service,
        serviceDescription: 'fresh',
        instanceID: id,
        updatedOn: new Date().toISOString(),
        processID: 2,
        ip: '127.0.0.1',
        port: 4001,
        hostName: 'h',
      },
    });
    await refreshing;
    expect(ids(cache.peek(service))).toEqual([id]);
  });

  it('notices a departure with a cheap pipelined presence check, without SCANning the keyspace', async () => {
    const service = uniqueService('quiet');
    const a = await writeInstance(redis, { service });
    const b = await writeInstance(redis, { service });
    const { cache } = newCache({ refreshMs: 100, discoverMs: 60_000 });
    await cache.watch(service);
    const before = await scans();
    await removePresence(redis, service, b);
    await eventually(() => cache.peek(service)!.length === 1, { timeoutMs: 1000, what: 'the departure' });
    expect(ids(cache.peek(service))).toEqual([a]);
    expect(await scans()).toBe(before);
  });

  it('looks a newcomer up as soon as the nodes hash grows, before the next full round is due', async () => {
    const service = uniqueService('grow');
    const { cache } = newCache({ refreshMs: 100, discoverMs: 60_000 });
    expect(await cache.watch(service)).toEqual([]);
    const a = await writeInstance(redis, { service });
    await eventually(() => cache.get(service, a), { timeoutMs: 500, what: 'the newcomer' });
  });

  it('after a hydra-nest peer announced its departure, finds a newcomer that kept the nodes hash length', async () => {
    const service = uniqueService('swap');
    const a = await writeInstance(redis, { service });
    const leaving = await writeInstance(redis, { service, ttlSeconds: 0 }); // its presence already gone
    const { cache } = newCache({ refreshMs: 100, discoverMs: 200 }, { nodesRereadMs: 60_000 });
    expect(ids(await cache.watch(service))).toEqual([a]);
    // The peer deregisters (DEL presence, HDEL node) as a Hydra 1.x instance registers.
    const b = fakeInstanceId();
    await redis.hdel(keys.nodesOf(service), leaving);
    await writeInstance(redis, { service, id: b });
    await sleep(600); // three lookups: the hash's length has not changed
    expect(ids(cache.peek(service))).toEqual([a]);
    cache.applyAnnouncement({ event: 'down', service, instanceId: leaving });
    await eventually(() => cache.get(service, b), { timeoutMs: 1000, what: 'the newcomer' });
  });

  it('shares one lookup between refreshAll calls made while it runs', async () => {
    const service = uniqueService('storm');
    await writeInstance(redis, { service });
    const { cache, discovery } = newCache({ refreshMs: 60_000, discoverMs: 60_000 });
    await cache.watch(service);
    let lookups = 0;
    const original = discovery.instancesOf.bind(discovery);
    discovery.instancesOf = (services) => {
      lookups++;
      return original(services);
    };
    await Promise.all([...Array(50)].map(() => cache.refreshAll()));
    expect(lookups).toBe(1);
    await cache.refreshAll();
    expect(lookups).toBe(2);
  });

  it('stops refreshing and forgets everything on close', async () => {
    const service = uniqueService('close');
    await writeInstance(redis, { service });
    const { cache } = newCache({ refreshMs: 50 });
    await cache.watch(service);
    cache.close();
    expect(cache.peek(service)).toBeUndefined();
    expect(cache.pick(service)).toBeUndefined();
    const changes: unknown[] = [];
    cache.on('change', () => changes.push(1));
    await sleep(200);
    expect(changes).toEqual([]);
  });
});
