import { describe, expect, it } from 'vitest';
import { redisFromEnv } from '../../samples/config/src/redis-from-env.js';

describe("the samples' redis option from the environment", () => {
  it('is a cluster when REDIS_CLUSTER_NODES lists nodes, even beside REDIS_URL', () => {
    const env = {
      REDIS_CLUSTER_NODES: ' 10.0.0.5:7000, 10.0.0.6:7001,',
      REDIS_URL: 'redis://10.0.0.9:6379/15',
    };
    expect(redisFromEnv(env)).toEqual({ cluster: { nodes: ['10.0.0.5:7000', '10.0.0.6:7001'] } });
  });

  it('is the server of REDIS_URL otherwise, and db 15 on this machine when neither is set', () => {
    expect(redisFromEnv({ REDIS_URL: 'redis://10.0.0.9:6379/3' })).toEqual({
      url: 'redis://10.0.0.9:6379/3',
    });
    expect(redisFromEnv({ REDIS_CLUSTER_NODES: '' })).toEqual({ url: 'redis://127.0.0.1:6379/15' });
  });

  it('names the entry of REDIS_CLUSTER_NODES that is not host:port', () => {
    expect(() => redisFromEnv({ REDIS_CLUSTER_NODES: '10.0.0.5:7000,redis://10.0.0.6:7001' })).toThrow(
      /REDIS_CLUSTER_NODES has "redis:\/\/10.0.0.6:7001"; give the cluster's nodes as host:port/,
    );
  });
});
