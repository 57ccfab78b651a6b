import { Redis } from 'ioredis';
import type { TestTopology } from '../../../test/harness/topology.js';
import { createClusterClients } from '../src/cluster-connection.js';
import { resolveRedisOptions } from '../src/connection.js';
import type { HydraContext } from '../src/context.js';
import { resolveIdentity } from '../src/identity.js';
import { silentLogger, type HydraLogger } from '../src/logger.js';
import type { RedisClient } from '../src/redis-client.js';

/** A queue test's context: what a started `Hydra` instance hands its features, on the test's Redis. */
export interface QueueTestContext extends HydraContext {
  close(): void;
}

const opened: QueueTestContext[] = [];

/**
 * A connected context for `serviceName` on the topology under test, with Hydra's connection options (no
 * offline queue; on a cluster, Hydra's cluster client), so the queue code runs exactly as inside a Hydra
 * instance. `closeContexts()` in `afterEach`.
 */
export async function queueContext(
  topology: TestTopology,
  serviceName: string,
  logger: HydraLogger = silentLogger,
): Promise<QueueTestContext> {
  const redis = commandConnection(topology);
  redis.on('error', () => undefined);
  await redis.connect();
  const ctx: QueueTestContext = {
    redis,
    keys: topology.keys,
    identity: resolveIdentity({ serviceName, serviceIP: '127.0.0.1', servicePort: 4000 }),
    logger,
    close: () => redis.disconnect(),
  };
  opened.push(ctx);
  return ctx;
}

/** A command connection made as a `Hydra` instance makes it on this topology (not connected yet). */
function commandConnection(topology: TestTopology): RedisClient {
  const options = topology.redis;
  if (!options.cluster) return new Redis(resolveRedisOptions(options).options);
  return createClusterClients(options.cluster, options).command;
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
