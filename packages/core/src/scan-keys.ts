import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './redis-client.js';
import { explainRefusals } from './redis-permission.js';

/**
 * All keys matching `pattern`, by SCAN (never KEYS: it blocks Redis), looping the cursor until it comes
 * back to 0. Deduplicated, because SCAN may return a key more than once while the keyspace is resized.
 * A SCAN visits the whole keyspace whatever the pattern, so a high COUNT keeps the round trips few; on a
 * cluster, every master's.
 *
 * @example
 * const presenceKeys = await scanKeys(redis, keys.presencePattern('users-svc'));
 */
export async function scanKeys(redis: RedisClient, pattern: string, count = 250): Promise<string[]> {
  if (!isCluster(redis)) return scanOne(redis, pattern, count);
  const perMaster = await Promise.all(redis.nodes('master').map((node) => scanOne(node, pattern, count)));
  return [...new Set(perMaster.flat())];
}

async function scanOne(redis: Redis, pattern: string, count: number): Promise<string[]> {
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await explainRefusals(
      { redis },
      redis.scan(cursor, 'MATCH', pattern, 'COUNT', count),
    );
    for (const key of batch) found.add(key);
    cursor = next;
  } while (cursor !== '0');
  return [...found];
}

/**
 * Parses JSON, or returns undefined for anything that is not JSON (a foreign or corrupt value in a
 * shared Redis must not crash a reader, as it does Hydra's `getServices`).
 */
export function parseJsonOrUndefined<T>(text: string | null | undefined): T | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
