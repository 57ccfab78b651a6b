import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/harness/redis.js';
import { SENTINEL_MASTER, useSentinel, type SentinelGroup } from '../../../test/harness/sentinel.js';
import { eventually } from '../../../test/harness/wait.js';
import { resolveRedisOptions } from '../src/connection.js';
import { HydraConfigError, RedisUnavailableError } from '../src/errors.js';
import { Hydra } from '../src/hydra.js';
import { silentLogger } from '../src/logger.js';

const started: Hydra[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((h) => h.stop()));
});

async function node(group: SentinelGroup, serviceName: string): Promise<Hydra> {
  const hydra = new Hydra({
    serviceName,
    serviceIP: '127.0.0.1',
    logger: silentLogger,
    redis: { sentinel: { masterName: SENTINEL_MASTER, sentinels: group.sentinels }, db: 15 },
  });
  started.push(hydra);
  await hydra.start();
  return hydra;
}

/** An echo service and a client of it, both connected through the group's sentinel. */
async function echoPair(group: SentinelGroup): Promise<{ server: Hydra; client: Hydra }> {
  const server = await node(group, 'sentinel-echo-svc');
  const client = await node(group, 'sentinel-client-svc');
  server.messaging.setHandler((message) => {
    // A reply may meet the connection down mid-failover; the caller's retry loop asks again.
    if (message.rmid === undefined)
      server.messaging.reply(message, { echoed: message.bdy }).catch(() => undefined);
  });
  return { server, client };
}

/** Whether the instance's presence key is on the Redis at `port` (db 15). */
async function presentOn(port: number, hydra: Hydra): Promise<boolean> {
  const direct = new Redis({ host: '127.0.0.1', port, db: 15, lazyConnect: true });
  direct.on('error', () => undefined);
  try {
    await direct.connect();
    return (await direct.exists(hydra.keys.presence(hydra.serviceName, hydra.instanceId))) === 1;
  } finally {
    direct.disconnect();
  }
}

/** A request from `client` to `server`'s echo handler. */
async function roundTrip(client: Hydra, server: Hydra, n: number): Promise<unknown> {
  const reply = await client.messaging.request(
    { to: `${server.serviceName}:[post]/v1/echo`, bdy: { n } },
    { timeoutMs: 3000 },
  );
  return reply.bdy;
}

/** Whether both connections of `hydra` are up and connected to the Redis on `port`. */
function connectedTo(port: number, hydra: Hydra): boolean {
  return [hydra.redis, hydra.subscriber].every((c) => c.status === 'ready' && c.stream?.remotePort === port);
}

/**
 * Waits until both connections of both instances are on the new master, then checks that a request is
 * answered there and that the server's presence was written there.
 */
async function expectServingOn(newPort: number, client: Hydra, server: Hydra): Promise<void> {
  await eventually(() => connectedTo(newPort, client) && connectedTo(newPort, server), {
    timeoutMs: 15_000,
    intervalMs: 100,
    what: `every connection on the new master (127.0.0.1:${newPort})`,
  });
  // Connected is not yet subscribed again: the first request may go unheard, so ask until answered.
  await eventually(() => roundTrip(client, server, 0).catch(() => undefined), {
    timeoutMs: 10_000,
    what: 'a request answered on the new master',
  });
  expect(await roundTrip(client, server, 7)).toEqual({ echoed: { n: 7 } });
  await eventually(() => presentOn(newPort, server), { timeoutMs: 5000, what: 'presence on the new master' });
  expect(await client.discovery.instances(server.serviceName)).toEqual([
    expect.objectContaining({ instanceID: server.instanceId }),
  ]);
}

describe('Redis Sentinel, failover ordered by the sentinel', () => {
  const group = useSentinel();

  it('finds the master through the sentinel, registers there and serves requests; then follows the failover', async () => {
    const { server, client } = await echoPair(group);
    const masterPort = await group.masterPort();
    expect(masterPort).toBe(group.master.port);
    expect(await presentOn(masterPort, server)).toBe(true);
    expect(await roundTrip(client, server, 1)).toEqual({ echoed: { n: 1 } });

    await group.ask('SENTINEL', 'FAILOVER', SENTINEL_MASTER);
    const newPort = await group.waitForNewMaster(masterPort);
    expect(newPort).toBe(group.replica.port);
    await expectServingOn(newPort, client, server);
  });

  it('fails start() with one actionable error when the master name is unknown or no sentinel answers', async () => {
    const cases = [
      { sentinels: group.sentinels, masterName: 'no-such-master', reason: /No such master with that name/ },
      {
        sentinels: [{ host: '127.0.0.1', port: await freePort() }],
        masterName: SENTINEL_MASTER,
        reason: /All sentinels are unreachable/,
      },
    ];
    for (const { sentinels, masterName, reason } of cases) {
      const hydra = new Hydra({
        serviceName: 'sentinel-lost-svc',
        logger: silentLogger,
        redis: { sentinel: { masterName, sentinels }, startupAttempts: 1, connectTimeoutMs: 500 },
      });
      const begun = Date.now();
      const error = await hydra.start().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RedisUnavailableError);
      expect((error as Error).message).toMatch(reason);
      expect((error as Error).message).toContain(`master "${masterName}"`);
      expect((error as Error).message).toContain(`SENTINEL GET-MASTER-ADDR-BY-NAME ${masterName}`);
      expect(Date.now() - begun).toBeLessThan(5000); // ioredis alone would look for the master for ever
      expect(hydra.state).toBe('stopped');
    }
  });
});

describe('Redis Sentinel, crashed master', () => {
  const group = useSentinel();

  it('follows the promotion of the replica: presence comes back and requests are answered again', async () => {
    const { server, client } = await echoPair(group);
    expect(await roundTrip(client, server, 1)).toEqual({ echoed: { n: 1 } });
    await group.master.kill();
    const newPort = await group.waitForNewMaster(group.master.port);
    expect(newPort).toBe(group.replica.port);
    await expectServingOn(newPort, client, server);
  });
});

describe('Sentinel options', () => {
  it('are turned into ioredis Sentinel options, with the master db and credentials', () => {
    const sentinels = [
      { host: '10.0.0.1', port: 26379 },
      { host: '10.0.0.2', port: 26380 },
    ];
    const { options, address } = resolveRedisOptions({
      sentinel: { masterName: 'm1', sentinels, password: 'sentinel-secret' },
      password: 'master-secret',
      db: 3,
    });
    expect(options).toMatchObject({
      name: 'm1',
      sentinels,
      sentinelPassword: 'sentinel-secret',
      password: 'master-secret',
      db: 3,
      failoverDetector: true,
    });
    expect(options.host).toBeUndefined();
    expect(address).toBe('sentinel 10.0.0.1:26379,10.0.0.2:26380 (master "m1", db 3)');
    expect(address).not.toContain('secret');
  });

  it('reject a fixed address beside the sentinels, a missing master name, and an empty sentinel list', () => {
    const sentinels = [{ host: '127.0.0.1', port: 26379 }];
    expect(() =>
      resolveRedisOptions({ url: 'redis://127.0.0.1:6379/15', sentinel: { masterName: 'm', sentinels } }),
    ).toThrow(/both `sentinel` and a fixed address/);
    expect(() => resolveRedisOptions({ sentinel: { masterName: '', sentinels } })).toThrow(
      /masterName is missing/,
    );
    expect(() => resolveRedisOptions({ sentinel: { masterName: 'm', sentinels: [] } })).toThrow(
      HydraConfigError,
    );
    expect(() =>
      resolveRedisOptions({ sentinel: { masterName: 'm', sentinels: [{ host: 'h', port: 0 }] } }),
    ).toThrow(/\{"host":"h","port":0\}/);
  });
});
