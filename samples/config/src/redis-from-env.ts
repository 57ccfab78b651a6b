import type { HydraOptions } from '@hydra-nest/nest';

/** The `redis` option of `HydraModule.forRoot()` (and of a core `Hydra`). */
export type RedisOption = NonNullable<HydraOptions['redis']>;

/** Where the samples look for Redis when the environment says nothing: Hydra's db 15 on this machine. */
const DEFAULT_URL = 'redis://127.0.0.1:6379/15';

/**
 * The samples' `redis` option, from the environment: `REDIS_CLUSTER_NODES` (`host:port,host:port,...`,
 * a few nodes of a Redis Cluster, the others are learnt from them) wins over `REDIS_URL` (one server),
 * so one variable moves a sample from a single Redis to a cluster with no code changed.
 *
 * @example
 * HydraModule.forRoot({ serviceName: 'hello-svc', redis: redisFromEnv() });
 * // REDIS_CLUSTER_NODES=10.0.0.5:7000,10.0.0.6:7000 -> { cluster: { nodes: ['10.0.0.5:7000', '10.0.0.6:7000'] } }
 * // REDIS_URL=redis://10.0.0.5:6379/15             -> { url: 'redis://10.0.0.5:6379/15' }
 * @throws Error naming the entry when `REDIS_CLUSTER_NODES` holds something other than `host:port`s.
 */
export function redisFromEnv(env: NodeJS.ProcessEnv = process.env): RedisOption {
  const nodes = (env.REDIS_CLUSTER_NODES ?? '')
    .split(',')
    .map((node) => node.trim())
    .filter((node) => node !== '');
  if (nodes.length === 0) return { url: env.REDIS_URL ?? DEFAULT_URL };
  const bad = nodes.find((node) => !/^[^\s/]+:\d+$/.test(node));
  if (bad !== undefined) {
    throw new Error(
      `REDIS_CLUSTER_NODES has "${bad}"; give the cluster's nodes as host:port,host:port,... ` +
        '(e.g. 127.0.0.1:7000,127.0.0.1:7001)',
    );
  }
  return { cluster: { nodes } };
}
