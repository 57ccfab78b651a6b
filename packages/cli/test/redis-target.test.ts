import { describe, expect, it } from 'vitest';
import { DEFAULT_REDIS_URL, redisTarget, UsageError } from '@hydra-nest/cli';

// Where the CLI looks for Redis: options over environment, cluster over Sentinel over a URL.
describe('redisTarget', () => {
  it('defaults to Hydra db 15 on this machine, one attempt only', () => {
    expect(redisTarget({}, {})).toEqual({
      options: { url: DEFAULT_REDIS_URL, startupAttempts: 1, connectTimeoutMs: 2000 },
      cluster: false,
      address: DEFAULT_REDIS_URL,
    });
  });

  it('takes REDIS_URL, and --redis over it, with the password hidden in the address', () => {
    const env = { REDIS_URL: 'redis://10.0.0.5:6379/15' };
    expect(redisTarget({}, env).options.url).toBe('redis://10.0.0.5:6379/15');
    const target = redisTarget({ redis: 'redis://ops:secret@10.0.0.6:6380/2', connectTimeout: 500 }, env);
    expect(target.options).toMatchObject({
      url: 'redis://ops:secret@10.0.0.6:6380/2',
      connectTimeoutMs: 500,
    });
    expect(target.address).toBe('redis://ops:***@10.0.0.6:6380/2');
  });

  it('prefers REDIS_CLUSTER_NODES to REDIS_SENTINELS to REDIS_URL, and any option to all of them', () => {
    const env = {
      REDIS_URL: 'redis://10.0.0.5:6379/15',
      REDIS_SENTINELS: '10.0.0.7:26379',
      REDIS_SENTINEL_MASTER: 'main',
      REDIS_CLUSTER_NODES: '10.0.0.8:7000, 10.0.0.9:7000',
      REDIS_PASSWORD: 'pw',
    };
    expect(redisTarget({}, env)).toMatchObject({
      options: { cluster: { nodes: ['10.0.0.8:7000', '10.0.0.9:7000'] }, password: 'pw' },
      cluster: true,
    });
    const { REDIS_CLUSTER_NODES: _, ...noCluster } = env;
    expect(redisTarget({}, noCluster).options).toMatchObject({
      sentinel: { masterName: 'main', sentinels: [{ host: '10.0.0.7', port: 26379 }] },
      db: 15,
      password: 'pw',
    });
    const byOption = redisTarget({ redis: 'redis://127.0.0.1:6390/3' }, env);
    expect(byOption.options).toEqual({
      url: 'redis://127.0.0.1:6390/3',
      startupAttempts: 1,
      connectTimeoutMs: 2000,
    });
  });

  it('takes --sentinel with --sentinel-master and --db', () => {
    const target = redisTarget(
      { sentinel: '127.0.0.1:26379,127.0.0.1:26380', sentinelMaster: 'hn', db: '4' },
      {},
    );
    expect(target.options).toMatchObject({
      db: 4,
      sentinel: {
        masterName: 'hn',
        sentinels: [
          { host: '127.0.0.1', port: 26379 },
          { host: '127.0.0.1', port: 26380 },
        ],
      },
    });
    expect(target.address).toBe('master "hn" of sentinels 127.0.0.1:26379,127.0.0.1:26380 (db 4)');
  });

  it('refuses two topologies, a malformed list, a missing master name, --db without Sentinel', () => {
    expect(() => redisTarget({ redis: 'redis://x:1/0', cluster: 'x:1' }, {})).toThrow(
      /give one of --redis, --sentinel, --cluster/,
    );
    expect(() => redisTarget({ cluster: 'x:1,nonsense' }, {})).toThrow('--cluster has "nonsense"');
    expect(() => redisTarget({ sentinel: 'x:1' }, {})).toThrow(UsageError);
    expect(() => redisTarget({ db: '3' }, {})).toThrow('--db applies to --sentinel only');
    expect(() => redisTarget({ sentinel: 'x:1', sentinelMaster: 'm', db: '-1' }, {})).toThrow(
      '--db must be a whole number',
    );
  });
});
