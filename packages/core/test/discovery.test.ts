import { beforeAll, describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually, sleep } from '../../../test/harness/wait.js';
import { Discovery } from '../src/discovery.js';
import { FlightRecorder } from '../src/flight-recorder.js';
import { HealthReporter } from '../src/health.js';
import { Presence } from '../src/presence.js';
import { pipelineOf, type RedisClient } from '../src/redis-client.js';
import { scanKeys } from '../src/scan-keys.js';
import {
  fakeInstanceId,
  registryContext,
  removePresence,
  uniqueService,
  writeInstance,
} from './registry-support.js';

const topology = useTopology();
const { keys } = topology;
let redis: RedisClient;
let discovery: Discovery;

beforeAll(() => {
  redis = topology.client();
  discovery = new Discovery(registryContext(redis, 'reader'));
});

describe('scanKeys', () => {
  it('loops the SCAN cursor to the end and returns every matching key once (of every master)', async () => {
    const pipeline = pipelineOf(redis);
    for (let i = 0; i < 600; i++) pipeline.set(`scan-test:${i}`, '1');
    await pipeline.exec();
    const found = await scanKeys(redis, 'scan-test:*', 50);
    expect(found).toHaveLength(600);
    expect(new Set(found).size).toBe(600);
  });
});

describe('pipelineOf', () => {
  it('answers each command in order, errors included, for one service’s keys and across slots', async () => {
    const service = uniqueService('batch');
    const oneSlot = [keys.extension(service, 'a'), keys.extension(service, 'b')];
    const spanning = [`batch-a:${service}`, `batch-b:${service}`];
    for (const [a, b] of [oneSlot, spanning]) {
      const replies = (await pipelineOf(redis).set(a!, '1').hset(a!, 'f', 'v').get(a!).mget(a!, b!).exec())!;
      expect(replies.map(([error]) => error?.message.split(' ')[0] ?? null)).toEqual([
        null,
        'WRONGTYPE',
        null,
        null,
      ]);
      expect([replies[0]![1], replies[2]![1], replies[3]![1]]).toEqual(['OK', '1', ['1', null]]);
    }
  });
});

describe('Discovery', () => {
  it('lists registered services and skips values that are not JSON instead of failing like Hydra', async () => {
    const good = uniqueService('good');
    await new Presence(registryContext(redis, good)).register();
    await redis.set(keys.service('garbage'), 'not json');
    await redis.set('elsewhere:thing:service', '{"serviceName":"foreign"}');
    const names = (await discovery.services()).map((s) => s.serviceName);
    expect(names).toContain(good);
    expect(names).not.toContain('garbage');
    expect(names).not.toContain('foreign');
  });

  it('finds the live instances of a service: a presence key and a nodes entry, with updatedOnTS', async () => {
    const service = uniqueService('inst');
    const updatedOn = new Date(Date.now() - 500);
    const a = await writeInstance(redis, { service, port: '5601', updatedOn });
    const b = await writeInstance(redis, { service, port: 5223, version: null });
    const noNode = 'f'.repeat(32);
    await redis.setex(keys.presence(service, noNode), 3, noNode);
    await writeInstance(redis, { service, ttlSeconds: 0 }); // a dead instance: nodes entry only
    await writeInstance(redis, { service: uniqueService('other') });

    const instances = await discovery.instances(service);
    expect(instances.map((i) => i.instanceID).sort()).toEqual([a, b].sort());
    const first = instances.find((i) => i.instanceID === a)!;
    expect(first).toMatchObject({ serviceName: service, port: '5601', version: '1.0.0', ip: '10.0.0.7' });
    expect(first.updatedOnTS).toBe(updatedOn.getTime());
    const second = instances.find((i) => i.instanceID === b)!;
    expect(second.port).toBe(5223);
    expect('version' in second).toBe(false);
    expect(await discovery.instances(uniqueService('nobody'))).toEqual([]);
  });

  it('finds instances without walking the keyspace: an HLEN, one HMGET, one MGET of presence keys', async () => {
    const service = uniqueService('inst');
    const ids = [
      await writeInstance(redis, { service }),
      await writeInstance(redis, { service }),
      await writeInstance(redis, { service }),
    ];
    const dead = await writeInstance(redis, { service, ttlSeconds: 0 });
    const unrelated = pipelineOf(redis);
    for (let i = 0; i < 5000; i++) unrelated.set(`unrelated:${service}:${i}`, 'x');
    await unrelated.exec();
    const fresh = new Discovery(registryContext(redis, 'reader'));
    await fresh.instances(service); // the first lookup reads the nodes hash's ids (HKEYS, HMGET)
    const commands = await topology.monitor(() => fresh.instances(service));
    // On a cluster the nodes hash and the service's keys sit on different masters: order per master only.
    expect(commands.map((c) => c[0]).sort()).toEqual(['hlen', 'hmget', 'mget']);
    const command = (name: string) => commands.find((c) => c[0] === name)!;
    // No entry was rewritten since the first lookup: every candidate's presence key is read.
    expect(command('mget').slice(1).sort()).toEqual(
      [...ids, dead].map((id) => keys.presence(service, id)).sort(),
    );
    expect(command('hmget').slice(2).sort()).toEqual([...ids, dead].sort());
    const cleanup = pipelineOf(redis);
    for (let i = 0; i < 5000; i++) cleanup.del(`unrelated:${service}:${i}`);
    await cleanup.exec();
  });

  it('reads no presence key of an instance whose entry was rewritten since the last lookup', async () => {
    const service = uniqueService('rewrite');
    const [a, b, c] = [fakeInstanceId(), fakeInstanceId(), fakeInstanceId()];
    for (const id of [a, b, c]) await writeInstance(redis, { service, id });
    const reader = new Discovery(registryContext(redis, 'reader'));
    expect((await reader.instances(service)).map((i) => i.instanceID).sort()).toEqual([a, b, c].sort());

    // a and b refresh (entry rewritten, as every live instance does each second); c stops and its
    // presence key goes, its entry stays as it was.
    await sleep(5);
    for (const id of [a, b]) await writeInstance(redis, { service, id });
    await removePresence(redis, service, c);
    const commands = await topology.monitor(async () => {
      expect((await reader.instances(service)).map((i) => i.instanceID).sort()).toEqual([a, b].sort());
    });
    const mgets = commands.filter((command) => command[0] === 'mget');
    expect(mgets.map((command) => command.slice(1))).toEqual([[keys.presence(service, c)]]);

    // An entry that stays the same proves nothing: b's presence key is read again, and b is gone.
    await sleep(5);
    await writeInstance(redis, { service, id: a });
    await removePresence(redis, service, b);
    expect((await reader.instances(service)).map((i) => i.instanceID)).toEqual([a]);
  });

  it('finds the instances of several services in one round', async () => {
    const s1 = uniqueService('multi');
    const s2 = uniqueService('multi');
    const a = await writeInstance(redis, { service: s1 });
    const b = await writeInstance(redis, { service: s2 });
    const found = await discovery.instancesOf([s1, s2, uniqueService('none')]);
    expect(found.get(s1)!.map((i) => i.instanceID)).toEqual([a]);
    expect(found.get(s2)!.map((i) => i.instanceID)).toEqual([b]);
    expect([...found.values()][2]).toEqual([]);
  });

  it('ignores keys that only end in :presence, in one-service and many-service lookups alike', async () => {
    const service = uniqueService('layout');
    const real = await writeInstance(redis, { service });
    await redis.setex(keys.presence(service, `extra:${'e'.repeat(32)}`), 5, 'x');
    await redis.setex(`other:${service}:${'d'.repeat(32)}:presence`, 5, 'x');
    await redis.hset(keys.nodesOf(service), 'e'.repeat(32), '{"instanceID":"eeee"}');
    expect((await discovery.instances(service)).map((i) => i.instanceID)).toEqual([real]);
    const many = await discovery.instancesOf([service, uniqueService('none')]);
    expect(many.get(service)!.map((i) => i.instanceID)).toEqual([real]);
  });

  it('finds a newcomer whose nodes entry left the hash length unchanged once told that nodes changed', async () => {
    const service = uniqueService('swap');
    const slow = new Discovery(registryContext(redis, 'reader'), { nodesRereadMs: 60_000 });
    const leaving = await writeInstance(redis, { service, ttlSeconds: 0 });
    expect(await slow.instances(service)).toEqual([]);
    // One instance removes its entry as another arrives: HLEN is the same as before.
    const arriving = fakeInstanceId();
    await redis.hdel(keys.nodesOf(service), leaving);
    await writeInstance(redis, { service, id: arriving });
    expect(await slow.instances(service)).toEqual([]);
    slow.nodesChanged(service);
    expect((await slow.instances(service)).map((i) => i.instanceID)).toEqual([arriving]);

    // Without being told, a full read every nodesRereadMs finds it.
    const quick = new Discovery(registryContext(redis, 'reader'), { nodesRereadMs: 0 });
    expect(await quick.instances(service)).toHaveLength(1);
    const next = fakeInstanceId();
    await redis.hdel(keys.nodesOf(service), arriving);
    await writeInstance(redis, { service, id: next });
    expect((await quick.instances(service)).map((i) => i.instanceID)).toEqual([next]);
  });

  it('does not return an instance whose presence key expired although its nodes entry stays', async () => {
    const service = uniqueService('expired');
    const id = await writeInstance(redis, { service, ttlSeconds: 1 });
    expect(await discovery.presentIds(service)).toEqual([id]);
    await eventually(async () => (await discovery.instances(service)).length === 0, {
      timeoutMs: 2500,
      what: 'the presence key to expire',
    });
    expect(await redis.hexists(keys.nodesOf(service), id)).toBe(1);
    expect(await discovery.hasPresence(service)).toBe(false);
  });

  it('says whether a service has presence', async () => {
    const service = uniqueService('presence');
    expect(await discovery.hasPresence(service)).toBe(false);
    const id = await writeInstance(redis, { service });
    expect(await discovery.hasPresence(service)).toBe(true);
    await removePresence(redis, service, id);
    expect(await discovery.hasPresence(service)).toBe(false);
  });

  it('lists every nodes entry, dead or alive, with whole seconds elapsed, like getServiceNodes', async () => {
    const service = uniqueService('nodes');
    const dead = await writeInstance(redis, {
      service,
      ttlSeconds: 0,
      updatedOn: new Date(Date.now() - 90_500),
    });
    const live = await writeInstance(redis, { service });
    const nodes = await discovery.nodes();
    expect(nodes.find((n) => n.instanceID === dead)!.elapsed).toBe(90);
    expect(nodes.find((n) => n.instanceID === live)!.elapsed).toBe(0);
    expect(await discovery.node(dead)).toMatchObject({ serviceName: service, elapsed: 90 });
    expect(await discovery.node('0'.repeat(32))).toBeUndefined();
  });

  it('reads the stored health snapshots of a service’s live instances, skipping those without one', async () => {
    const service = uniqueService('health');
    const ctx = registryContext(redis, service);
    await new Presence(ctx).register();
    await new HealthReporter(ctx).publish();
    await writeInstance(redis, { service }); // live, but no snapshot yet
    const health = await discovery.health(service);
    expect(health).toHaveLength(1);
    expect(health[0]).toMatchObject({ serviceName: service, instanceID: ctx.identity.instanceId });
    expect(Object.keys(health[0]!)[0]).toBe('updatedOn');
  });

  it('reports health, merged log and presence for every service, like getServiceHealthAll', async () => {
    const service = uniqueService('all');
    const one = registryContext(redis, service);
    const two = registryContext(redis, service);
    await new Presence(one).register();
    await new Presence(two).register();
    await new HealthReporter(one).publish();
    await new FlightRecorder(one).append('info', 'from one');
    await sleep(3);
    await new FlightRecorder(two).append('info', 'from two');
    const all = await discovery.healthAll();
    expect(Object.keys(all[service]!)).toEqual(['health', 'log', 'presence']);
    expect(all[service]!.health.map((h) => h.instanceID)).toEqual([one.identity.instanceId]);
    expect(all[service]!.log.map((e) => e.msg)).toEqual(['from two', 'from one']);
    expect(all[service]!.presence.map((p) => p.instanceID).sort()).toEqual(
      [one.identity.instanceId, two.identity.instanceId].sort(),
    );
  });

  it('removes the nodes entries older than the threshold and says how many, like hydra-cli refresh', async () => {
    const service = uniqueService('stale');
    const old = await writeInstance(redis, {
      service,
      ttlSeconds: 0,
      updatedOn: new Date(Date.now() - 3_600_000),
    });
    const fresh = await writeInstance(redis, { service });
    const removed = await discovery.removeStaleNodes(60);
    expect(removed).toBeGreaterThanOrEqual(1);
    expect(await redis.hexists(keys.nodesOf(service), old)).toBe(0);
    expect(await redis.hexists(keys.nodesOf(service), fresh)).toBe(1);
    expect(await discovery.removeStaleNodes(60)).toBe(0);
  });
});
