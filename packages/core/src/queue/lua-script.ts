import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis-client.js';

type Arg = string | number | Buffer;

/**
 * A Lua script run with `EVALSHA`, falling back to `EVAL` (which also caches it again) when Redis
 * answers `NOSCRIPT`, e.g. after a restart emptied its script cache. Nothing is registered on the
 * connection, so one script object serves any number of connections.
 */
export class LuaScript {
  /** SHA-1 of the source, as Redis names cached scripts. */
  readonly sha: string;

  constructor(
    /** A name for error messages. */
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script with `keys` and `args` on `redis`. */
  async run(redis: RedisClient, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }

  /** As {@link run}, with the strings of the reply as Buffers, byte for byte (integers stay numbers). */
  async runBuffer(redis: RedisClient, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    try {
      return await redis.callBuffer('evalsha', [this.sha, keys.length, ...keys, ...args]);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.callBuffer('eval', [this.source, keys.length, ...keys, ...args]);
    }
  }
}
