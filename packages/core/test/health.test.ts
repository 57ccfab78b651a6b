import { beforeAll, describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually, sleep } from '../../../test/harness/wait.js';
import { HydraConfigError } from '../src/errors.js';
import { HealthReporter } from '../src/health.js';
import type { HydraLogger } from '../src/logger.js';
import { Presence } from '../src/presence.js';
import type { RedisClient } from '../src/redis-client.js';
import { registryContext, uniqueService, unreachableRedis } from './registry-support.js';

const topology = useTopology();
const { keys } = topology;
let redis: RedisClient;

beforeAll(() => {
  redis = topology.client();
});

const HYDRA_SNAPSHOT_FIELDS = [
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
];

describe('HealthReporter', () => {
  it('writes Hydra’s snapshot to hydra:service:S:I:health with a 3 s TTL, updatedOn first, in compact JSON', async () => {
    const ctx = registryContext(redis, uniqueService('health'));
    const { serviceName, instanceId } = ctx.identity;
    await new HealthReporter(ctx).publish();
    const raw = await redis.get(keys.health(serviceName, instanceId));
    const stored = JSON.parse(raw!);
    expect(raw).toBe(JSON.stringify(stored));
    expect(Object.keys(stored)).toEqual(['updatedOn', ...HYDRA_SNAPSHOT_FIELDS]);
    expect(stored).toMatchObject({
      serviceName,
      instanceID: instanceId,
      processID: process.pid,
      architecture: process.arch,
      platform: process.platform,
      nodeVersion: process.version,
    });
    expect(Object.keys(stored.memory)).toEqual(expect.arrayContaining(['rss', 'heapTotal', 'heapUsed']));
    expect(stored.updatedOn).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const pttl = await redis.pttl(keys.health(serviceName, instanceId));
    expect(pttl).toBeGreaterThan(2000);
    expect(pttl).toBeLessThanOrEqual(3000);
  });

  it('extends the flight recorder’s expiry to a week in the same pipeline as the snapshot', async () => {
    const ctx = registryContext(redis, uniqueService('health'));
    const { serviceName, instanceId } = ctx.identity;
    const logKey = keys.healthLog(serviceName, instanceId);
    await redis.lpush(logKey, '{}');
    const commands = await topology.monitor(() => new HealthReporter(ctx).publish());
    const mine = commands.filter((c) => c[1]?.includes(instanceId));
    expect(mine.map((c) => c.slice(0, 3))).toEqual([
      ['setex', keys.health(serviceName, instanceId), '3'],
      ['expire', logKey, '604800'],
    ]);
    expect(await redis.ttl(logKey)).toBe(604800);
  });

  it('returns exactly Hydra’s fields from snapshot() when no check is registered', async () => {
    const snapshot = await new HealthReporter(registryContext(redis)).snapshot();
    expect(Object.keys(snapshot)).toEqual(HYDRA_SNAPSHOT_FIELDS);
    expect(typeof snapshot.uptimeSeconds).toBe('number');
  });

  it('adds the checks and their worst status; a throwing, slow or malformed check counts as down', async () => {
    const health = new HealthReporter(registryContext(redis));
    health.addCheck('db', () => ({ status: 'up' }));
    health.addCheck('cache', async () => ({ status: 'degraded', details: { hitRate: 0.2 } }));
    const first = await health.snapshot();
    expect(Object.keys(first).slice(-2)).toEqual(['checks', 'status']);
    expect(first.status).toBe('degraded');
    expect(first.checks).toEqual({
      db: { status: 'up' },
      cache: { status: 'degraded', details: { hitRate: 0.2 } },
    });

    health.addCheck('broken', () => {
      throw new Error('disk full');
    });
    health.addCheck('slow', () => new Promise(() => undefined));
    health.addCheck('odd', () => ({ status: 'fine' }) as never);
    const started = Date.now();
    const second = await health.snapshot();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(second.status).toBe('down');
    expect(second.checks!.broken).toEqual({ status: 'down', details: { error: 'disk full' } });
    expect(second.checks!.slow!.details!.error).toMatch(/longer than 1000 ms/);
    expect(second.checks!.odd!.status).toBe('down');

    for (const name of ['broken', 'slow', 'odd']) health.removeCheck(name);
    expect((await health.snapshot()).status).toBe('degraded');
  });

  it('publishes at once on start, keeps the snapshot present while running, and stops on stop', async () => {
    const ctx = registryContext(redis, uniqueService('health'));
    const key = ctx.keys.health(ctx.identity.serviceName, ctx.identity.instanceId);
    const health = new HealthReporter(ctx, { intervalMs: 300, ttlSeconds: 1 });
    health.start();
    await eventually(() => redis.exists(key), { timeoutMs: 200, what: 'the first snapshot' });
    for (let i = 0; i < 6; i++) {
      await sleep(200);
      expect(await redis.exists(key)).toBe(1);
    }
    health.stop();
    const last = await redis.get(key);
    await sleep(400);
    expect([last, null]).toContain(await redis.get(key));
  });

  it('rides the presence refresh when given the presence, and extends the log once a minute', async () => {
    const ctx = registryContext(redis, uniqueService('health'));
    const { serviceName, instanceId } = ctx.identity;
    const presence = new Presence(ctx, { intervalMs: 200 });
    const health = new HealthReporter(ctx, { intervalMs: 400 });
    const mine = async (action: () => Promise<unknown>) =>
      (await topology.monitor(action))
        .filter((c) => c[0] !== 'exists' && c.some((arg) => arg.includes(instanceId))) // not our own reads
        .map((c) => `${c[0]} ${c[1]}`)
        .sort();
    const presenceWrites = [
      `hset ${keys.nodesOf(serviceName)}`,
      `setex ${keys.presence(serviceName, instanceId)}`,
    ];
    const snapshotWrite = `setex ${keys.health(serviceName, instanceId)}`;
    try {
      // The first snapshot at once, on its own, with the log's expiry.
      const healthKey = keys.health(serviceName, instanceId);
      const started = async () => {
        health.start(presence);
        await eventually(() => redis.exists(healthKey), { timeoutMs: 1000, what: 'the first snapshot' });
      };
      expect(await mine(started)).toEqual(
        [`expire ${keys.healthLog(serviceName, instanceId)}`, snapshotWrite].sort(),
      );
      // Not due yet: the refresh carries presence only.
      expect(await mine(() => presence.refresh())).toEqual(presenceWrites);
      await sleep(350);
      // Due: the snapshot travels with presence; the log's expiry waits for its minute.
      expect(await mine(() => presence.refresh())).toEqual([...presenceWrites, snapshotWrite].sort());
      expect(await redis.exists(keys.health(serviceName, instanceId))).toBe(1);
      health.stop();
      await sleep(450);
      expect(await mine(() => presence.refresh())).toEqual(presenceWrites);
    } finally {
      health.stop();
    }
  });

  it('writes a snapshot with checks on its own, never holding a presence refresh back', async () => {
    const ctx = registryContext(redis, uniqueService('health'));
    const presence = new Presence(ctx, { intervalMs: 100 });
    const health = new HealthReporter(ctx, { intervalMs: 100 });
    health.addCheck('slow', () => sleep(600).then(() => ({ status: 'up' as const })));
    health.start(presence);
    try {
      await sleep(150);
      const started = Date.now();
      await presence.refresh();
      expect(Date.now() - started).toBeLessThan(400);
      await eventually(() => redis.exists(keys.health(ctx.identity.serviceName, ctx.identity.instanceId)), {
        timeoutMs: 3000,
        what: 'the snapshot written on its own',
      });
    } finally {
      health.stop();
    }
  });

  it('lets the snapshot lapse in 3 s and keeps the log a week on expireNow, as Hydra’s shutdown does', async () => {
    const ctx = registryContext(redis, uniqueService('health'));
    const { serviceName, instanceId } = ctx.identity;
    const health = new HealthReporter(ctx, { ttlSeconds: 60 });
    await health.publish();
    await redis.lpush(ctx.keys.healthLog(serviceName, instanceId), '{}');
    await health.expireNow();
    expect(await redis.ttl(keys.health(serviceName, instanceId))).toBe(3);
    expect(await redis.ttl(keys.healthLog(serviceName, instanceId))).toBe(604800);
  });

  it('keeps running quietly, without logging each failure, while Redis is away', async () => {
    const logged: string[] = [];
    const record = (m: string) => void logged.push(m);
    const logger: HydraLogger = { log: record, warn: record, error: record, debug: record };
    const away = unreachableRedis();
    const health = new HealthReporter(registryContext(away, 'away-svc', logger), { intervalMs: 50 });
    expect(() => health.start()).not.toThrow();
    await sleep(300);
    health.stop();
    away.disconnect();
    expect(logged).toEqual([]);
  });

  it('rejects a non-positive interval or a fractional TTL, naming the service and the default', () => {
    const ctx = registryContext(redis, 'opts-svc');
    expect(() => new HealthReporter(ctx, { intervalMs: 0 })).toThrow(HydraConfigError);
    expect(() => new HealthReporter(ctx, { intervalMs: 0 })).toThrow(/intervalMs of opts-svc.*default 2000/);
    expect(() => new HealthReporter(ctx, { ttlSeconds: 0.5 })).toThrow(/ttlSeconds of opts-svc.*default 3/);
  });
});
