import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import type { HydraContext } from '../src/context.js';
import { ConfigStore } from '../src/config-store.js';
import { Discovery } from '../src/discovery.js';
import { HydraConfigError } from '../src/errors.js';
import { FlightRecorder } from '../src/flight-recorder.js';
import { HealthReporter } from '../src/health.js';
import { resolveIdentity } from '../src/identity.js';
import { InstanceCache } from '../src/instance-cache.js';
import { Keyspace } from '../src/keyspace.js';
import { silentLogger } from '../src/logger.js';
import { Presence } from '../src/presence.js';
import { RouteRegistry } from '../src/routes.js';

const server = useRedis();
let redis: Redis;
const contexts: HydraContext[] = [];

function context(serviceName = 'reg-svc'): HydraContext {
  const ctx: HydraContext = {
    redis,
    keys: new Keyspace(),
    identity: resolveIdentity({
      serviceName,
      serviceIP: '127.0.0.1',
      servicePort: 3000,
      serviceVersion: '1.0.0',
    }),
    logger: silentLogger,
  };
  contexts.push(ctx);
  return ctx;
}

beforeAll(() => {
  redis = new Redis(server.urlFor(15));
});
afterAll(() => redis.disconnect());

describe('HealthReporter', () => {
  it('writes Hydra’s snapshot with a 3 s TTL, fields in Hydra’s order, and extends the log’s expiry', async () => {
    const ctx = context();
    await redis.lpush(ctx.keys.healthLog('reg-svc', ctx.identity.instanceId), 'x');
    await new HealthReporter(ctx).publish();
    const key = ctx.keys.health('reg-svc', ctx.identity.instanceId);
    const snapshot = JSON.parse((await redis.get(key))!);
    expect(Object.keys(snapshot)).toEqual([
      'updatedOn',
      'serviceName',
      'instanceID',
      'hostName',
      'sampledOn',
      'processID',
      'architecture',
      'platform',
      'nodeVersion',
      'memory',
      'uptimeSeconds',
    ]);
    expect(await redis.ttl(key)).toBe(3);
    expect(await redis.ttl(ctx.keys.healthLog('reg-svc', ctx.identity.instanceId))).toBe(604800);
  });

  it('adds user checks and the worst status; a throwing or slow check counts as down', async () => {
    const health = new HealthReporter(context());
    health.addCheck('db', () => ({ status: 'up' }));
    health.addCheck('cache', () => ({ status: 'degraded', details: { hitRate: 0.2 } }));
    expect((await health.snapshot()).status).toBe('degraded');
    health.addCheck('broken', () => {
      throw new Error('disk full');
    });
    health.addCheck('slow', () => new Promise(() => undefined));
    const snapshot = await health.snapshot();
    expect(snapshot.status).toBe('down');
    expect(snapshot.checks!.broken).toEqual({ status: 'down', details: { error: 'disk full' } });
    expect(snapshot.checks!.slow!.details!.error).toMatch(/longer than 1000 ms/);
    health.removeCheck('broken');
    health.removeCheck('slow');
    expect((await health.snapshot()).status).toBe('degraded');
  });
});

describe('FlightRecorder', () => {
  it('keeps the newest 64 entries in Hydra’s entry format, newest first', async () => {
    const ctx = context();
    const recorder = new FlightRecorder(ctx);
    for (let i = 0; i < 70; i++) expect(await recorder.append('info', `entry ${i}`)).toBe(true);
    const entries = await recorder.latest();
    expect(entries).toHaveLength(64);
    expect(entries[0]).toMatchObject({
      serviceName: 'reg-svc',
      type: 'info',
      processID: process.pid,
      msg: 'entry 69',
    });
    expect(Object.keys(entries[0]!)).toEqual(['ts', 'serviceName', 'type', 'processID', 'msg']);
    expect((await recorder.latest(3)).map((e) => e.msg)).toEqual(['entry 69', 'entry 68', 'entry 67']);
  });

  it('merges every instance’s log of a service, newest first', async () => {
    const a = new FlightRecorder(context('log-svc'));
    const b = new FlightRecorder(context('log-svc'));
    await a.append('info', 'first');
    await new Promise((r) => setTimeout(r, 5));
    await b.append('error', 'second');
    expect((await a.serviceLog('log-svc')).map((e) => e.msg)).toEqual(['second', 'first']);
  });
});

describe('ConfigStore', () => {
  it('round-trips configs by service:version and lists labels sorted, as Hydra does', async () => {
    const store = new ConfigStore(context());
    await store.put('cfg-svc:1.1.0', { b: 2 });
    await store.put('cfg-svc:1.0.0', { a: 1 });
    expect(await store.get('cfg-svc:1.0.0')).toEqual({ a: 1 });
    expect(await store.get('cfg-svc:9.9.9')).toBeNull();
    expect(await store.list('cfg-svc')).toEqual(['cfg-svc:1.0.0', 'cfg-svc:1.1.0']);
    expect(await redis.hget('hydra:service:cfg-svc:configs', '1.1.0')).toBe('{"b":2}');
    expect(await store.remove('cfg-svc:1.1.0')).toBe(true);
  });

  it('rejects labels that are not service:version, naming the label', async () => {
    const store = new ConfigStore(context());
    await expect(store.put('cfg-svc', {})).rejects.toThrow(HydraConfigError);
    await expect(store.get('a:b:c')).rejects.toThrow(/"a:b:c" must be "service:version"/);
  });
});

describe('RouteRegistry', () => {
  it('replaces the route set, adding Hydra’s three defaults, without touching the caller’s array', async () => {
    const routes = new RouteRegistry(context('route-svc'));
    const mine = ['[get]/v1/items/:id'];
    await routes.publish(['[get]/old']);
    await routes.publish(mine);
    expect(mine).toEqual(['[get]/v1/items/:id']);
    expect(await routes.routesOf('route-svc')).toEqual(
      ['[get]/route-svc', '[get]/route-svc/', '[get]/route-svc/:rest', '[get]/v1/items/:id'].sort(),
    );
    expect((await routes.allRoutes())['route-svc']).toContain('[get]/v1/items/:id');
  });

  it('rejects a malformed route naming it and the expected form', async () => {
    await expect(new RouteRegistry(context()).publish(['get /v1/x'])).rejects.toThrow(
      /route "get \/v1\/x" is not a Hydra route; expected "\[method\]\/path"/,
    );
  });

  it('tells a present hydra-router to refresh, with Hydra’s refresh message', async () => {
    const router = context('hydra-router');
    await new Presence(router).register();
    const listener = redis.duplicate();
    await listener.subscribe('hydra:service:mc:hydra-router');
    const received = new Promise<string>((resolve) => listener.on('message', (_c, m) => resolve(m)));
    await new RouteRegistry(context('route-svc')).publish(['[get]/v1/x']);
    const message = JSON.parse(await received);
    expect(Object.keys(message)).toEqual(['to', 'frm', 'mid', 'ts', 'ver', 'bdy']);
    expect(message).toMatchObject({
      to: 'hydra-router:/refresh',
      frm: 'route-svc:/',
      bdy: { action: 'refresh', serviceName: 'route-svc' },
    });
    listener.disconnect();
    await new Presence(router).deregister();
  });
});

describe('Discovery and InstanceCache', () => {
  it('skips registry values that are not JSON instead of failing like Hydra', async () => {
    await redis.set('hydra:service:garbage:service', 'not json');
    await new Presence(context('good-svc')).register();
    const names = (await new Discovery(context()).services()).map((s) => s.serviceName);
    expect(names).toContain('good-svc');
    expect(names).not.toContain('garbage');
  });

  it('learns of instances appearing and leaving, and spreads round-robin evenly over them', async () => {
    const ctx = context('rr-svc');
    const cache = new InstanceCache(ctx, new Discovery(ctx), { refreshMs: 200, discoverMs: 400 });
    const presences = [0, 1, 2].map(() => new Presence(context('rr-svc'), { ttlSeconds: 1 }));
    await presences[0]!.register();
    expect(await cache.watch('rr-svc')).toHaveLength(1);
    await presences[1]!.register();
    await presences[2]!.register();
    await eventually(() => cache.peek('rr-svc')!.length === 3, { timeoutMs: 1500 });

    const counts = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const id = cache.pick('rr-svc')!.instanceID;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([100, 100, 100]);

    await presences[2]!.deregister();
    await eventually(() => cache.peek('rr-svc')!.length === 2, { timeoutMs: 1500, what: 'the departure' });
    cache.markGone('rr-svc', presences[1]!.nodeEntry().instanceID);
    expect(cache.peek('rr-svc')!.map((i) => i.instanceID)).toEqual([presences[0]!.nodeEntry().instanceID]);
    cache.close();
    await Promise.all(presences.map((p) => p.deregister()));
  });

  it('notices a departure with a cheap presence check, without SCANning the keyspace each time', async () => {
    const ctx = context('quiet-svc');
    const cache = new InstanceCache(ctx, new Discovery(ctx), { refreshMs: 100, discoverMs: 60_000 });
    const a = new Presence(context('quiet-svc'));
    const b = new Presence(context('quiet-svc'));
    await a.register();
    await b.register();
    expect(await cache.watch('quiet-svc')).toHaveLength(2);
    const scans = async () =>
      Number(/cmdstat_scan:calls=(\d+)/.exec(await redis.info('commandstats'))?.[1] ?? 0);
    const before = await scans();
    await b.deregister();
    await eventually(() => cache.peek('quiet-svc')!.length === 1, { timeoutMs: 1000, what: 'the departure' });
    expect(await scans()).toBe(before);
    cache.close();
    await a.deregister();
  });
});
