import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/harness/redis.js';
import { onCluster, testKeys, useTopology } from '../../../test/harness/topology.js';
import { eventually } from '../../../test/harness/wait.js';
import { Hydra, type HydraOptions } from '../src/hydra.js';
import { RedisUnavailableError } from '../src/errors.js';
import { silentLogger, type HydraLogger } from '../src/logger.js';
import type { RedisClient } from '../src/redis-client.js';

describe('Hydra instance lifecycle', () => {
  const topology = useTopology();
  const { keys } = topology;
  const started: Hydra[] = [];
  const clients: RedisClient[] = [];

  function raw(): RedisClient {
    const client = topology.client({ maxRetriesPerRequest: null });
    clients.push(client);
    return client;
  }

  async function startHydra(options: Partial<HydraOptions> = {}): Promise<Hydra> {
    const hydra = new Hydra({
      serviceName: 'Lifecycle-Svc',
      serviceIP: '127.0.0.1',
      servicePort: 4100,
      serviceType: 'peer',
      serviceVersion: '1.2.3',
      logger: silentLogger,
      redis: topology.redis,
      ...options,
    });
    started.push(hydra);
    await hydra.start();
    return hydra;
  }

  afterEach(async () => {
    await Promise.all(started.splice(0).map((h) => h.stop()));
    for (const c of clients.splice(0)) c.disconnect();
  });

  it('registers the service entry, presence with a 3 s TTL and its node, as Hydra does', async () => {
    const hydra = await startHydra();
    const redis = raw();
    const id = hydra.instanceId;
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(hydra.serviceName).toBe('lifecycle-svc');

    const entry = JSON.parse((await redis.get(keys.service('lifecycle-svc')))!);
    expect(Object.keys(entry)).toEqual(['serviceName', 'type', 'registeredOn']);
    expect(entry).toMatchObject({ serviceName: 'lifecycle-svc', type: 'peer' });

    expect(await redis.get(keys.presence('lifecycle-svc', id))).toBe(id);
    const ttl = await redis.pttl(keys.presence('lifecycle-svc', id));
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual(3000);

    const node = JSON.parse((await redis.hget(keys.nodesOf('lifecycle-svc'), id))!);
    expect(Object.keys(node)).toEqual([
      'serviceName',
      'serviceDescription',
      'version',
      'instanceID',
      'updatedOn',
      'processID',
      'ip',
      'port',
      'hostName',
    ]);
    expect(node).toMatchObject({
      serviceName: 'lifecycle-svc',
      version: '1.2.3',
      instanceID: id,
      ip: '127.0.0.1',
      port: '4100',
    });
  });

  it('subscribes to the service and instance channels before it becomes present', async () => {
    const hydra = await startHydra();
    const channels = await topology.subscribedChannels(`${keys.serviceChannel('lifecycle-svc')}*`);
    expect(channels).toEqual([
      keys.serviceChannel('lifecycle-svc'),
      keys.instanceChannel('lifecycle-svc', hydra.instanceId),
    ]);
  });

  it('keeps presence alive past its TTL by refreshing every second', async () => {
    const hydra = await startHydra();
    const redis = raw();
    await new Promise((r) => setTimeout(r, 3500));
    expect(await redis.exists(keys.presence('lifecycle-svc', hydra.instanceId))).toBe(1);
  });

  it('deregisters at once on stop: presence and node gone, health expiring', async () => {
    const hydra = await startHydra();
    const redis = raw();
    const id = hydra.instanceId;
    await hydra.stop();
    expect(await redis.exists(keys.presence('lifecycle-svc', id))).toBe(0);
    expect(await redis.hexists(keys.nodesOf('lifecycle-svc'), id)).toBe(0);
    expect(hydra.running).toBe(false);
  });

  it('refuses a second start with a message saying what to do', async () => {
    const hydra = await startHydra();
    await expect(hydra.start()).rejects.toThrow(/already started; create a new one/);
  });

  it('reads the registry without registering when register is false', async () => {
    await startHydra();
    const reader = await startHydra({ serviceName: 'reader', register: false });
    expect((await reader.discovery.instances('lifecycle-svc')).length).toBe(1);
    expect(await reader.discovery.instances('reader')).toEqual([]);
  });

  it('rejects start with one actionable line when Redis is not there', async () => {
    const port = await freePort();
    const [redis, address] = onCluster
      ? [{ cluster: { nodes: [{ host: '127.0.0.1', port }] } }, `redis cluster 127.0.0.1:${port}`]
      : [{ url: `redis://127.0.0.1:${port}/15` }, `redis://127.0.0.1:${port}/15`];
    const hydra = new Hydra({
      serviceName: 'lonely',
      logger: silentLogger,
      redis: { ...redis, startupAttempts: 2 },
    });
    const error = await hydra.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as Error).message).toContain(`Cannot reach Redis at ${address}`);
    expect((error as Error).message).not.toContain('\n');
  });
});

// Redis restarts empty: the one server, or every node of the cluster at once (a master's loss alone is a
// failover to its replica, which cluster-faults.test.ts covers).
describe('Hydra instance when Redis restarts', () => {
  const topology = useTopology();

  it('is present again within 2 s of Redis returning empty, logging the loss and the return once each', async () => {
    const lines: string[] = [];
    const logger: HydraLogger = {
      log: (m) => lines.push(`log ${m}`),
      warn: (m) => lines.push(`warn ${m}`),
      error: (m) => lines.push(`error ${m}`),
    };
    const hydra = new Hydra({
      serviceName: 'phoenix',
      serviceIP: '127.0.0.1',
      servicePort: 4200,
      logger,
      routes: ['[get]/v1/phoenix/rise'],
      redis: topology.redis,
    });
    await hydra.start();
    try {
      // No persistence: the restarted server has lost every key, as after a crash without AOF.
      await topology.crashRedis();
      await topology.bringRedisBack({ downMs: 1500 });
      const back = Date.now();
      const redis = topology.client();
      const presence = testKeys.presence('phoenix', hydra.instanceId);
      await eventually(async () => (await redis.exists(presence)) === 1, {
        timeoutMs: 2000,
        what: 'presence after restart',
      });
      expect(Date.now() - back).toBeLessThan(2000);
      await eventually(async () => (await redis.exists(testKeys.service('phoenix'))) === 1, {
        timeoutMs: 2000,
      });
      const route = '[get]/v1/phoenix/rise';
      await eventually(async () => (await redis.sismember(testKeys.routes('phoenix'), route)) === 1, {
        timeoutMs: 2000,
      });
      const lost = lines.filter((l) => l.startsWith('warn') && l.includes('command connection'));
      const recovered = lines.filter((l) => l.includes('command connection') && l.includes('is back'));
      expect(lost).toHaveLength(1);
      expect(recovered).toHaveLength(1);
    } finally {
      await hydra.stop();
    }
  });
});
