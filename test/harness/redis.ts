import { afterAll, beforeAll } from 'vitest';
import { RedisProcess, type RedisProcessOptions } from '../../scripts/lib/redis-process.mjs';

export { RedisProcess, freePort, waitFor } from '../../scripts/lib/redis-process.mjs';

/**
 * Starts a private redis-server for the current test file and stops it after the file's tests.
 * Read `.url` / `.port` inside tests or hooks (the server starts in `beforeAll`).
 *
 * @example
 * const redis = useRedis();
 * it('pings', async () => { const r = new Redis(redis.url); expect(await r.ping()).toBe('PONG'); });
 */
export function useRedis(options: RedisProcessOptions = {}): RedisProcess {
  const server = new RedisProcess(options);
  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });
  return server;
}
