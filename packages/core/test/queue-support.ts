import { Redis } from 'ioredis';
import { resolveRedisOptions } from '../src/connection.js';
import type { HydraContext } from '../src/context.js';
import { resolveIdentity } from '../src/identity.js';
import { Keyspace } from '../src/keyspace.js';
import { silentLogger, type HydraLogger } from '../src/logger.js';

/** A queue test's context: what a started `Hydra` instance hands its features, on the test's Redis. */
export interface QueueTestContext extends HydraContext {
  close(): void;
}

const opened: QueueTestContext[] = [];

/**
 * A connected context for `serviceName` with Hydra's connection options (no offline queue), so the
 * queue code runs exactly as inside a Hydra instance. `closeContexts()` in `afterEach`.
 */
export async function queueContext(
  url: string,
  serviceName: string,
  logger: HydraLogger = silentLogger,
): Promise<QueueTestContext> {
  const redis = new Redis(resolveRedisOptions({ url }).options);
  redis.on('error', () => undefined);
  await redis.connect();
  const ctx: QueueTestContext = {
    redis,
    keys: new Keyspace(),
    identity: resolveIdentity({ serviceName, serviceIP: '127.0.0.1', servicePort: 4000 }),
    logger,
    close: () => redis.disconnect(),
  };
  opened.push(ctx);
  return ctx;
}

/** Disconnects every context opened since the last call. */
export function closeContexts(): void {
  for (const ctx of opened.splice(0)) ctx.close();
}

/** A unique service name per test. */
export function uniqueService(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A valid queued message body for `service`. */
export function job(service: string, bdy: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { to: `${service}:/`, frm: 'producer-svc:/', bdy, ...extra };
}
