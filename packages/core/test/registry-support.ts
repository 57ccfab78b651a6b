import { Redis } from 'ioredis';
import type { HydraContext } from '../src/context.js';
import { resolveIdentity } from '../src/identity.js';
import { Keyspace } from '../src/keyspace.js';
import { silentLogger, type HydraLogger } from '../src/logger.js';

// Helpers of the registry tests (health, flight recorder, configs, routes, discovery, instance cache):
// hand-built contexts on the test's private Redis, and Hydra-shaped keys written by hand.

/** A Hydra context for `serviceName` on `redis`, as a started `Hydra` instance would hand its features. */
export function registryContext(
  redis: Redis,
  serviceName = 'reg-svc',
  logger: HydraLogger = silentLogger,
): HydraContext {
  return {
    redis,
    keys: new Keyspace(),
    identity: resolveIdentity({
      serviceName,
      serviceIP: '127.0.0.1',
      servicePort: 3000,
      serviceVersion: '1.0.0',
    }),
    logger,
  };
}

/** A unique service name per test, so tests sharing one db do not see each other. */
export function uniqueService(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A 32-hex-character instance id, like Hydra's. */
export function fakeInstanceId(): string {
  return [...Array(32)].map(() => Math.floor(Math.random() * 16).toString(16)).join('');
}

/** What {@link writeInstance} writes; the fields of a Hydra nodes entry. */
export interface FakeInstance {
  service: string;
  id?: string;
  port?: string | number;
  /** `null`: leave the field out, as Hydra does when the version is undefined. */
  version?: string | null;
  updatedOn?: Date;
  /** Presence TTL in seconds (Hydra: 3); 0 writes the nodes entry only. */
  ttlSeconds?: number;
}

/**
 * Writes an instance exactly as Hydra 1.9.3 does (presence key with TTL + nodes entry, Hydra's field
 * order), by hand. Returns the instance id.
 */
export async function writeInstance(redis: Redis, options: FakeInstance): Promise<string> {
  const id = options.id ?? fakeInstanceId();
  const node: Record<string, unknown> = {
    serviceName: options.service,
    serviceDescription: `hand-written (${options.service})`,
  };
  if (options.version !== null) node.version = options.version ?? '1.0.0';
  Object.assign(node, {
    instanceID: id,
    updatedOn: (options.updatedOn ?? new Date()).toISOString(),
    processID: 4242,
    ip: '10.0.0.7',
    port: options.port ?? '5601',
    hostName: 'test-host',
  });
  const pipeline = redis.pipeline().hset('hydra:service:nodes', id, JSON.stringify(node));
  const ttl = options.ttlSeconds ?? 3;
  if (ttl > 0) pipeline.setex(`hydra:service:${options.service}:${id}:presence`, ttl, id);
  await pipeline.exec();
  return id;
}

/** Removes a hand-written instance's presence key (as Hydra's shutdown does; the nodes entry stays). */
export async function removePresence(redis: Redis, service: string, id: string): Promise<void> {
  await redis.del(`hydra:service:${service}:${id}:presence`);
}

/**
 * Records the commands `redis` receives from other clients while `action` runs (MONITOR), ending with a
 * marker command so that nothing is missed. Returns the commands, lower-cased name first.
 */
export async function monitorCommands(redis: Redis, action: () => Promise<unknown>): Promise<string[][]> {
  const monitor = await redis.monitor();
  const marker = `end-of-monitor-${Math.random()}`;
  const seen: string[][] = [];
  const done = new Promise<void>((resolve) =>
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args[0]?.toLowerCase() === 'echo' && args[1] === marker) resolve();
      else seen.push([args[0]!.toLowerCase(), ...args.slice(1)]);
    }),
  );
  try {
    await action();
    await redis.echo(marker);
    await done;
  } finally {
    monitor.disconnect();
  }
  return seen;
}

/** A client to a port where nothing listens: commands fail, it keeps reconnecting quietly. */
export function unreachableRedis(): Redis {
  const redis = new Redis({
    host: '127.0.0.1',
    port: 1,
    lazyConnect: false,
    maxRetriesPerRequest: 1,
    retryStrategy: () => 50,
  });
  redis.on('error', () => undefined);
  return redis;
}
