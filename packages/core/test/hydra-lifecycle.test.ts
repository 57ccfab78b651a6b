import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import { Hydra, type HydraOptions } from '../src/hydra.js';
import { RedisUnavailableError } from '../src/errors.js';
import { silentLogger, type HydraLogger } from '../src/logger.js';

describe('Hydra instance lifecycle', () => {
  const server = useRedis();
  const started: Hydra[] = [];
  const clients: Redis[] = [];

  function raw(): Redis {
    const client = new Redis(server.urlFor(15), { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
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
      redis: { url: server.urlFor(15) },
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

    const entry = JSON.parse((await redis.get('hydra:service:lifecycle-svc:service'))!);
    expect(Object.keys(entry)).toEqual(['serviceName', 'type', 'registeredOn']);
    expect(entry).toMatchObject({ serviceName: 'lifecycle-svc', type: 'peer' });

    expect(await redis.get(`hydra:service:lifecycle-svc:${id}:presence`)).toBe(id);
    const ttl = await redis.pttl(`hydra:service:lifecycle-svc:${id}:presence`);
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual(3000);

    const node = JSON.parse((await redis.hget('hydra:service:nodes', id))!);
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
    const redis = raw();
    const channels = (await redis.pubsub('CHANNELS', 'hydra:service:mc:lifecycle-svc*')) as string[];
    expect(channels.sort()).toEqual([
      'hydra:service:mc:lifecycle-svc',
      `hydra:service:mc:lifecycle-svc:${hydra.instanceId}`,
    ]);
  });

  it('keeps presence alive past its TTL by refreshing every second', async () => {
    const hydra = await startHydra();
    const redis = raw();
    await new Promise((r) => setTimeout(r, 3500));
    expect(await redis.exists(`hydra:service:lifecycle-svc:${hydra.instanceId}:presence`)).toBe(1);
  });

  it('deregisters at once on stop: presence and node gone, health expiring', async () => {
    const hydra = await startHydra();
    const redis = raw();
    const id = hydra.instanceId;
    await hydra.stop();
    expect(await redis.exists(`hydra:service:lifecycle-svc:${id}:presence`)).toBe(0);
    expect(await redis.hexists('hydra:service:nodes', id)).toBe(0);
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
    const hydra = new Hydra({
      serviceName: 'lonely',
      logger: silentLogger,
      redis: { url: `redis://127.0.0.1:${port}/15`, startupAttempts: 2 },
    });
    const error = await hydra.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as Error).message).toContain(`Cannot reach Redis at redis://127.0.0.1:${port}/15`);
    expect((error as Error).message).not.toContain('\n');
  });
});

describe('Hydra instance when Redis restarts', () => {
  const server = useRedis();

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
      redis: { url: server.urlFor(15) },
    });
    await hydra.start();
    try {
      // No persistence: the restarted server has lost every key, as after a crash without AOF.
      await server.restart({ crash: true, downMs: 1500 });
      const back = Date.now();
      const redis = new Redis(server.urlFor(15));
      try {
        await eventually(
          async () => (await redis.exists(`hydra:service:phoenix:${hydra.instanceId}:presence`)) === 1,
          {
            timeoutMs: 2000,
            what: 'presence after restart',
          },
        );
        expect(Date.now() - back).toBeLessThan(2000);
        await eventually(async () => (await redis.exists('hydra:service:phoenix:service')) === 1, {
          timeoutMs: 2000,
        });
        await eventually(
          async () =>
            (await redis.sismember('hydra:service:phoenix:service:routes', '[get]/v1/phoenix/rise')) === 1,
          {
            timeoutMs: 2000,
          },
        );
      } finally {
        redis.disconnect();
      }
      const lost = lines.filter((l) => l.startsWith('warn') && l.includes('command connection'));
      const recovered = lines.filter((l) => l.includes('command connection') && l.includes('is back'));
      expect(lost).toHaveLength(1);
      expect(recovered).toHaveLength(1);
    } finally {
      await hydra.stop();
    }
  });
});
