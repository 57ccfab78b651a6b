import { explainRefusal, type RedisPermissionScope } from './redis-permission.js';

/**
 * Runs a pipeline (or MULTI) and throws the first command error (ioredis reports them per command),
 * a refused permission as a `RedisPermissionError` naming the user of `scope`.
 */
export async function execOrThrow(
  pipeline: { exec(): Promise<[Error | null, unknown][] | null> },
  scope: RedisPermissionScope = {},
) {
  let results: [Error | null, unknown][] | null;
  try {
    results = await pipeline.exec();
  } catch (error) {
    throw explainRefusal(error, scope); // a MULTI that Redis discarded (EXECABORT)
  }
  for (const [error] of results ?? []) if (error) throw explainRefusal(error, scope);
  return results ?? [];
}
