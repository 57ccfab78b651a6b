import { afterAll, beforeAll } from 'vitest';
import { RedisCluster, type RedisClusterOptions } from '../../scripts/lib/redis-cluster.mjs';

export { RedisCluster, type RedisClusterOptions } from '../../scripts/lib/redis-cluster.mjs';

/**
 * Starts a private Redis Cluster (3 masters, 3 replicas unless `options` say otherwise) for the current
 * test file and stops it after the file's tests. Read `.nodes` inside tests or hooks (the cluster starts
 * in `beforeAll`, in about 2 s).
 *
 * @example
 * const cluster = useCluster();
 * it('writes', async () => { const c = new Cluster(cluster.nodes); await c.set('k', 'v'); c.disconnect(); });
 */
export function useCluster(options: RedisClusterOptions = {}): RedisCluster {
  const cluster = new RedisCluster(options);
  beforeAll(async () => {
    await cluster.start();
  }, 40_000);
  afterAll(async () => {
    await cluster.stop();
  });
  return cluster;
}
