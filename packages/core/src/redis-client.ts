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

/** A command queued in a cluster batch: its name and arguments. */
type Call = [name: string, args: unknown[]];

/**
 * A pipeline of commands whose keys may sit in different slots. On one server it is a pipeline: one
 * round trip. On a cluster, where ioredis rejects a pipeline that spans nodes, a batch whose keys all
 * carry one hash tag (one service's: a presence refresh) is still a pipeline, so one round trip to that
 * slot's master; any other batch sends each command on its own, and `exec()` answers the same
 * `[error, result]` list; an `mget` is split by hash tag (see {@link mgetAny}), as its keys may span slots.
 */
export function pipelineOf(redis: RedisClient): ChainableCommander {
  if (!isCluster(redis)) return redis.pipeline();
  const calls: Call[] = [];
  const batch: ChainableCommander = new Proxy({} as ChainableCommander, {
    get(_target, name) {
      if (name === 'exec') return () => execOnCluster(redis, calls);
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

function execOnCluster(redis: Cluster, calls: Call[]): Promise<Array<[Error | null, unknown]>> {
  if (calls.length > 1 && oneHashTag(calls)) {
    const pipeline = redis.pipeline();
    for (const [name, args] of calls)
      (pipeline as unknown as Record<string, (...a: unknown[]) => void>)[name]!(...args);
    return pipeline.exec().then((replies) => replies ?? []);
  }
  return Promise.all(calls.map(([name, args]) => settle(run(redis, name, args))));
}

/** Commands whose only key is their first argument. */
const FIRST_ARG_KEY = new Set(
  'get set setex expire hget hset hmget hdel hgetall hlen hkeys sadd smembers llen lrange zcard'.split(' '),
);
/** Commands whose every argument is a key. */
const ALL_ARGS_KEYS = new Set(['mget', 'del']);

/**
 * Whether every call's keys carry one and the same hash tag, so that the whole batch goes to one slot.
 * A command not listed above (a script, whose first argument is not a key) makes the answer no.
 */
function oneHashTag(calls: Call[]): boolean {
  let tag: string | undefined;
  for (const [name, args] of calls) {
    const keys = ALL_ARGS_KEYS.has(name) ? args.flat() : FIRST_ARG_KEY.has(name) ? args.slice(0, 1) : [];
    if (keys.length === 0) return false;
    for (const key of keys) {
      const keyTag = typeof key === 'string' ? hashTag(key) : undefined;
      if (keyTag === undefined || (tag !== undefined && keyTag !== tag)) return false;
      tag = keyTag;
    }
  }
  return tag !== undefined;
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
