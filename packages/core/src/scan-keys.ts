import type { Redis } from 'ioredis';

/**
 * All keys matching `pattern`, by SCAN (never KEYS), deduplicated because SCAN may return a key twice.
 * A large COUNT keeps the number of round trips low on a busy keyspace.
 */
export async function scanKeys(redis: Redis, pattern: string, count = 500): Promise<string[]> {
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', count);
    for (const key of keys) found.add(key);
    cursor = next;
  } while (cursor !== '0');
  return [...found];
}

/** Parses JSON, or returns undefined for anything that is not (foreign or corrupt values). */
export function parseJsonOrUndefined<T>(text: string | null | undefined): T | undefined {
  if (text === null || text === undefined) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}
