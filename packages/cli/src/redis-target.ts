import { maskPassword, type RedisConnectionOptions, type SentinelAddress } from '@hydra-nest/core';
import { UsageError } from './cli-errors.js';

/** Where Redis is, as the global options and the environment give it. */
export interface RedisTargetFlags {
  /** `--redis <url>`: one Redis server. */
  redis?: string;
  /** `--sentinel <host:port,...>`: sentinels that know the master. */
  sentinel?: string;
  /** `--sentinel-master <name>`: the master group the sentinels watch. */
  sentinelMaster?: string;
  /** `--cluster <host:port,...>`: a few nodes of a Redis Cluster. */
  cluster?: string;
  /** `--db <n>` with `--sentinel` (a URL carries its own db). */
  db?: string;
  /** `--password` for Sentinel's master or every cluster node (a URL carries its own). */
  password?: string;
  /** `--connect-timeout <ms>`: one connection attempt (default 2000). */
  connectTimeout?: number;
}

/** The resolved `redis` option of the CLI's core `Hydra`, and whether it is a cluster. */
export interface RedisTarget {
  options: RedisConnectionOptions;
  cluster: boolean;
  /** Where that is, for messages (password hidden). */
  address: string;
}

/** Where the CLI looks when neither options nor environment say: Hydra's db 15 on this machine. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379/15';

/**
 * Resolves where Redis is. Options win over the environment; in the environment
 * `REDIS_CLUSTER_NODES` wins over `REDIS_SENTINELS` (with `REDIS_SENTINEL_MASTER`), which wins over
 * `REDIS_URL`, the samples' convention. One connection attempt only, so that an unreachable Redis
 * fails in about the connect timeout instead of retrying.
 *
 * @throws {@link UsageError} when two topologies are given, or a list or number is malformed.
 */
export function redisTarget(flags: RedisTargetFlags, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  const given = (['redis', 'sentinel', 'cluster'] as const).filter((name) => flags[name] !== undefined);
  if (given.length > 1) {
    throw new UsageError(
      `give one of --redis, --sentinel, --cluster (got ${given.map((n) => `--${n}`).join(', ')})`,
    );
  }
  const common: RedisConnectionOptions = {
    startupAttempts: 1,
    connectTimeoutMs: flags.connectTimeout ?? 2000,
  };
  // A URL carries its own password; Sentinel's master and cluster nodes take it from here.
  const password = flags.password ?? env.REDIS_PASSWORD;
  if (password) common.password = password;
  const cluster = flags.cluster ?? (given.length === 0 ? env.REDIS_CLUSTER_NODES : undefined);
  if (cluster) {
    const nodes = hostPorts(flags.cluster ? '--cluster' : 'REDIS_CLUSTER_NODES', cluster);
    const list = nodes.map(({ host, port }) => `${host}:${port}`);
    return {
      options: { ...common, cluster: { nodes: list } },
      cluster: true,
      address: `the Redis Cluster at ${list.join(',')}`,
    };
  }
  const sentinels = flags.sentinel ?? (given.length === 0 ? env.REDIS_SENTINELS : undefined);
  if (sentinels) {
    const masterName = flags.sentinelMaster ?? env.REDIS_SENTINEL_MASTER;
    if (!masterName) {
      throw new UsageError(
        'with --sentinel (or REDIS_SENTINELS) give the master group name: --sentinel-master <name> ' +
          '(or REDIS_SENTINEL_MASTER), as in `sentinel monitor <name> ...`',
      );
    }
    const list = hostPorts(flags.sentinel ? '--sentinel' : 'REDIS_SENTINELS', sentinels);
    const db = flags.db === undefined ? 15 : nonNegativeInteger('--db', flags.db);
    return {
      options: { ...common, db, sentinel: { masterName, sentinels: list } },
      cluster: false,
      address: `master "${masterName}" of sentinels ${list.map((s) => `${s.host}:${s.port}`).join(',')} (db ${db})`,
    };
  }
  if (flags.db !== undefined) {
    throw new UsageError(
      '--db applies to --sentinel only; put the db in the URL: --redis redis://host:port/15',
    );
  }
  const url = flags.redis ?? env.REDIS_URL ?? DEFAULT_REDIS_URL;
  if (!flags.password) delete common.password; // REDIS_PASSWORD is for Sentinel and cluster; a URL has its own
  return { options: { ...common, url }, cluster: false, address: maskPassword(url) };
}

function hostPorts(source: string, text: string): SentinelAddress[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const bad = entries.find((entry) => !/^[^\s/]+:\d+$/.test(entry));
  if (entries.length === 0 || bad !== undefined) {
    throw new UsageError(
      `${source} has "${bad ?? text}"; give host:port,host:port,... (e.g. 127.0.0.1:7000,127.0.0.1:7001)`,
    );
  }
  return entries.map((entry) => {
    const at = entry.lastIndexOf(':');
    return { host: entry.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(entry.slice(at + 1)) };
  });
}

/** Parses a whole number >= 0 given to `option`, or throws a {@link UsageError} naming it. */
function nonNegativeInteger(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new UsageError(`${option} must be a whole number, 0 or more (got "${text}")`);
  }
  return value;
}
