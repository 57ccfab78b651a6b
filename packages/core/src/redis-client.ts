import { Cluster, type ChainableCommander, type Redis } from 'ioredis';

/**
 * A connection to Redis as core uses it: one server (standalone or found through Sentinel), or a Redis
 * Cluster. The few places where the two differ (pipelines across slots, multi-key reads, SCAN,
 * sharded pub/sub) go through the helpers of this file.
 */
export type RedisClient = Redis | Cluster;

/** Whether `redis` is a Redis Cluster client. */
export function isCluster(redis: RedisClient): redis is Cluster {
  return redis instanceof Cluster;
}

/**
 * A pipeline of commands whose keys may sit in different slots. On one server it is a pipeline: one
 * round trip. On a cluster, where ioredis rejects a pipeline that spans nodes, each command is sent on
 * its own (the cluster client pipelines what goes to one node by itself) and `exec()` answers the same
 * `[error, result]` list; an `mget` is split by hash tag (see {@link mgetAny}), as its keys may span slots.
 */
export function pipelineOf(redis: RedisClient): ChainableCommander {
  if (!isCluster(redis)) return redis.pipeline();
  const calls: Array<[name: string, args: unknown[]]> = [];
  const batch: ChainableCommander = new Proxy({} as ChainableCommander, {
    get(_target, name) {
      if (name === 'exec') return () => Promise.all(calls.map(([n, args]) => settle(run(redis, n, args))));
      if (name === 'length') return calls.length;
      if (name === 'then') return undefined; // not a promise itself
      return (...args: unknown[]) => {
        calls.push([String(name), args]);
        return batch;
      };
    },
  });
  return batch;
}

/**
 * MGET of keys that may sit in different slots: one command on one server; on a cluster, one MGET per
 * hash tag (the keys of one service share one, so one slot) and one GET per key without a tag.
 */
export async function mgetAny(redis: RedisClient, keys: string[]): Promise<Array<string | null>> {
  if (keys.length === 0) return [];
  if (!isCluster(redis)) return redis.mget(...keys);
  const byTag = new Map<string, number[]>();
  const untagged: number[] = [];
  keys.forEach((key, i) => {
    const tag = hashTag(key);
    const group = tag === undefined ? untagged : byTag.get(tag);
    if (group) group.push(i);
    else byTag.set(tag!, [i]);
  });
  const values = new Array<string | null>(keys.length).fill(null);
  await Promise.all([
    ...[...byTag.values()].map(async (indices) => {
      const found = await redis.mget(...indices.map((i) => keys[i]!));
      indices.forEach((i, j) => (values[i] = found[j] ?? null));
    }),
    ...untagged.map(async (i) => (values[i] = await redis.get(keys[i]!))),
  ]);
  return values;
}

/**
 * The hash tag of `key` as Redis Cluster reads it: the text between the first `{` and the next `}`, when
 * not empty. Keys with the same tag share a slot.
 */
function hashTag(key: string): string | undefined {
  const open = key.indexOf('{');
  if (open < 0) return undefined;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : undefined;
}

function run(redis: Cluster, name: string, args: unknown[]): Promise<unknown> {
  if (name === 'mget') return mgetAny(redis, args.flat() as string[]);
  const command = (redis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name];
  if (typeof command !== 'function') return Promise.reject(new Error(`unknown Redis command ${name}`));
  return command.apply(redis, args);
}

function settle(result: Promise<unknown>): Promise<[Error | null, unknown]> {
  return result.then(
    (value): [null, unknown] => [null, value],
    (error: Error): [Error, null] => [error, null],
  );
}
