import { Redis } from 'ioredis';
import { testKeys, onCluster } from '../../../test/harness/topology.js';
import { createClusterClients } from '../src/cluster-connection.js';
import type { HydraContext } from '../src/context.js';
import { resolveIdentity } from '../src/identity.js';
import { silentLogger, type HydraLogger } from '../src/logger.js';
import type { RedisClient } from '../src/redis-client.js';

// Helpers of the registry tests (health, flight recorder, configs, routes, discovery, instance cache):
// hand-built contexts on the test's private Redis, and Hydra-shaped keys written by hand, in the
// keyspace of the topology under test (test/harness/topology.ts).

/** A Hydra context for `serviceName` on `redis`, as a started `Hydra` instance would hand its features. */
export function registryContext(
  redis: RedisClient,
  serviceName = 'reg-svc',
  logger: HydraLogger = silentLogger,
): HydraContext {
  return {
    redis,
    keys: testKeys,
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
 * order), by hand; in Cluster layout, into the service's own nodes hash, named in the service index.
 * Returns the instance id.
 */
export async function writeInstance(redis: RedisClient, options: FakeInstance): Promise<string> {
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
  await redis.hset(testKeys.nodesOf(options.service), id, JSON.stringify(node));
  if (testKeys.nodesPerService) await redis.sadd(testKeys.serviceIndex(), options.service);
  const ttl = options.ttlSeconds ?? 3;
  if (ttl > 0) await redis.setex(testKeys.presence(options.service, id), ttl, id);
  return id;
}

/** Removes a hand-written instance's presence key (as Hydra's shutdown does; the nodes entry stays). */
export async function removePresence(redis: RedisClient, service: string, id: string): Promise<void> {
  await redis.del(testKeys.presence(service, id));
}

/**
 * A client of the topology under test where nothing listens: commands fail, it keeps reconnecting
 * quietly. On a cluster, a cluster client made as a `Hydra` instance makes it (no offline queue).
 */
export function unreachableRedis(): RedisClient {
  if (onCluster) {
    const { command } = createClusterClients({ nodes: [{ host: '127.0.0.1', port: 1 }] }, {});
    command.on('error', () => undefined);
    command.connect().catch(() => undefined);
    return command;
  }
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
