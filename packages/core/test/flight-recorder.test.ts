import { beforeAll, describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { sleep } from '../../../test/harness/wait.js';
import { FlightRecorder } from '../src/flight-recorder.js';
import type { RedisClient } from '../src/redis-client.js';
import { registryContext, uniqueService, unreachableRedis } from './registry-support.js';

const topology = useTopology();
const { keys } = topology;
let redis: RedisClient;

beforeAll(() => {
  redis = topology.client();
});

describe('FlightRecorder', () => {
  it('writes Hydra’s entry to hydra:service:S:I:health:log: compact JSON, ts/serviceName/type/processID/msg, one-week TTL', async () => {
    const ctx = registryContext(redis, uniqueService('log'));
    const { serviceName, instanceId } = ctx.identity;
    expect(await new FlightRecorder(ctx).append('error', { orderId: 7, reason: 'gateway timeout' })).toBe(
      true,
    );
    const key = keys.healthLog(serviceName, instanceId);
    const [raw] = await redis.lrange(key, 0, -1);
    const entry = JSON.parse(raw!);
    expect(raw).toBe(JSON.stringify(entry));
    expect(Object.keys(entry)).toEqual(['ts', 'serviceName', 'type', 'processID', 'msg']);
    expect(entry).toMatchObject({
      serviceName,
      type: 'error',
      processID: process.pid,
      msg: { orderId: 7, reason: 'gateway timeout' },
    });
    expect(entry.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await redis.ttl(key)).toBe(604800);
  });

  it('appends in one MULTI of LPUSH, LTRIM 0 63 and EXPIRE, with no SELECT inside (Redis Cluster safe)', async () => {
    const ctx = registryContext(redis, uniqueService('log'));
    const key = ctx.keys.healthLog(ctx.identity.serviceName, ctx.identity.instanceId);
    const commands = await topology.monitor(() => new FlightRecorder(ctx).append('info', 'hi'));
    const start = commands.findIndex((c) => c[0] === 'multi');
    expect(commands.slice(start).map((c) => (c[0] === 'lpush' ? c.slice(0, 2) : c))).toEqual([
      ['multi'],
      ['lpush', key],
      ['ltrim', key, '0', '63'],
      ['expire', key, '604800'],
      ['exec'],
    ]);
    expect(commands.some((c) => c[0] === 'select')).toBe(false);
  });

  it('keeps only the newest 64 entries, newest first, and latest(n) reads the newest n', async () => {
    const recorder = new FlightRecorder(registryContext(redis, uniqueService('log')));
    for (let i = 0; i < 70; i++) await recorder.append('info', `entry ${i}`);
    const entries = await recorder.latest();
    expect(entries).toHaveLength(64);
    expect(entries[0]!.msg).toBe('entry 69');
    expect(entries[63]!.msg).toBe('entry 6');
    expect((await recorder.latest(3)).map((e) => e.msg)).toEqual(['entry 69', 'entry 68', 'entry 67']);
    expect(await recorder.latest(0)).toEqual([]);
  });

  it('reads another instance of the same service by id, skipping items that are not entries', async () => {
    const service = uniqueService('log');
    const other = registryContext(redis, service);
    await new FlightRecorder(other).append('debug', 'from the other instance');
    await redis.lpush(other.keys.healthLog(service, other.identity.instanceId), 'not json');
    const mine = new FlightRecorder(registryContext(redis, service));
    const entries = await mine.latest(64, other.identity.instanceId);
    expect(entries.map((e) => e.msg)).toEqual(['from the other instance']);
  });

  it('merges the logs of every instance of a service, newest first, cut to count (Hydra returns one instance’s)', async () => {
    const service = uniqueService('log');
    const a = new FlightRecorder(registryContext(redis, service));
    const b = new FlightRecorder(registryContext(redis, service));
    const elsewhere = new FlightRecorder(registryContext(redis, uniqueService('other')));
    await a.append('info', 'a1');
    await sleep(3);
    await b.append('error', 'b1');
    await sleep(3);
    await elsewhere.append('info', 'not this service');
    await a.append('info', 'a2');
    expect((await a.serviceLog(service)).map((e) => e.msg)).toEqual(['a2', 'b1', 'a1']);
    expect((await b.serviceLog(service, 2)).map((e) => e.msg)).toEqual(['a2', 'b1']);
    expect(await a.serviceLog(uniqueService('nobody'))).toEqual([]);
  });

  it('returns false at once instead of throwing or waiting while Redis is away', async () => {
    const away = unreachableRedis();
    const recorder = new FlightRecorder(registryContext(away, 'away-svc'));
    await sleep(100); // the client has failed to connect and is retrying
    const started = Date.now();
    expect(await recorder.append('error', 'lost')).toBe(false);
    expect(Date.now() - started).toBeLessThan(100);
    away.disconnect();
    expect(await recorder.append('error', 'lost')).toBe(false);
  });
});
