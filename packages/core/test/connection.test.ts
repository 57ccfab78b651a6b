import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../test/harness/redis.js';
import { connectOrExplain, maskPassword, resolveRedisOptions } from '../src/connection.js';
import { createClusterClients } from '../src/cluster-connection.js';
import { HydraConfigError, RedisUnavailableError } from '../src/errors.js';

describe('Redis Cluster connection options', () => {
  it('rejects a single-server address or a db beside cluster, naming them', () => {
    const nodes = ['127.0.0.1:7000'];
    expect(() => createClusterClients({ nodes }, { url: 'redis://127.0.0.1:6379/15', db: 15 })).toThrow(
      /both `cluster` and `url`, `db`.*only db 0/,
    );
  });

  it('rejects a node that is neither "host:port" nor { host, port }', () => {
    expect(() => createClusterClients({ nodes: ['nowhere'] }, {})).toThrow(HydraConfigError);
    expect(() => createClusterClients({ nodes: [] }, {})).toThrow(/at least one node/);
  });

  it('keeps credentials and TLS when the caller adds node options of its own', () => {
    const { command, subscriberOptions } = createClusterClients(
      { nodes: [{ host: '127.0.0.1', port: 7000 }], redisOptions: { connectionName: 'mine' } },
      { username: 'app', password: 'secret', tls: true },
    );
    expect(command.options.redisOptions).toMatchObject({ username: 'app', password: 'secret', tls: {} });
    expect(command.options.redisOptions?.connectionName).toBe('mine');
    // The subscriber's connection to one master has them too, and resubscribes only when told to.
    expect(subscriberOptions).toMatchObject({ username: 'app', password: 'secret', tls: {} });
    expect(subscriberOptions).toMatchObject({ connectionName: 'mine', autoResubscribe: false });
    command.disconnect();
  });
});

describe('Redis connection options', () => {
  it('defaults to db 15, the Hydra convention, when no url is given', () => {
    const { options, address } = resolveRedisOptions({ host: '127.0.0.1', port: 7000 });
    expect(options.db).toBe(15);
    expect(address).toBe('redis://127.0.0.1:7000/15');
  });

  it('reads host, port, db, ACL user and password from a redis:// url', () => {
    const { options, address } = resolveRedisOptions({ url: 'redis://app:s3cret@127.0.0.1:6390/4' });
    expect(options).toMatchObject({
      host: '127.0.0.1',
      port: 6390,
      db: 4,
      username: 'app',
      password: 's3cret',
    });
    expect(address).toBe('redis://app:***@127.0.0.1:6390/4');
    expect(options.tls).toBeUndefined();
  });

  it('selects db 0 for a url without a db path, as Hydra does', () => {
    expect(resolveRedisOptions({ url: 'redis://127.0.0.1:6390' }).options.db).toBe(0);
  });

  it('turns on TLS for rediss:// urls and for the tls option', () => {
    expect(resolveRedisOptions({ url: 'rediss://127.0.0.1:6390/1' }).options.tls).toEqual({});
    expect(resolveRedisOptions({ tls: { servername: 'redis.local' } }).options.tls).toEqual({
      servername: 'redis.local',
    });
  });

  it('rejects a url that is not redis:// with an error naming the url and the expected form', () => {
    expect(() => resolveRedisOptions({ url: 'http://127.0.0.1:6390' })).toThrow(HydraConfigError);
    expect(() => resolveRedisOptions({ url: 'http://127.0.0.1:6390' })).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => resolveRedisOptions({ url: 'redis://127.0.0.1:6390/x' })).toThrow(/db "x"/);
  });

  it('reconnects when a write meets a demoted master (READONLY), and only then', () => {
    const { reconnectOnError } = resolveRedisOptions({ url: 'redis://127.0.0.1:6390/1' }).options;
    const readonly = new Error("READONLY You can't write against a read only replica.");
    expect(reconnectOnError?.(readonly as never)).toBe(true);
    expect(reconnectOnError?.(new Error('WRONGTYPE Operation against a key') as never)).toBe(false);
  });

  it('hides passwords in printable addresses', () => {
    expect(maskPassword('redis://:pw@host:1/2')).toBe('redis://:***@host:1/2');
    expect(maskPassword('redis://host:1/2')).toBe('redis://host:1/2');
  });
});

describe('connectOrExplain', () => {
  it('fails fast with one actionable error when nothing listens at the address', async () => {
    const port = await freePort();
    const { options, address } = resolveRedisOptions({ url: `redis://127.0.0.1:${port}/15` });
    const client = new Redis(options);
    client.on('error', () => undefined);
    const started = Date.now();
    const error = await connectOrExplain(client, address, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/15 after 2 attempts \\(.*\\)\\. Is redis-server running there\\?`,
      ),
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
