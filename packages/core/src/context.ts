import type { ServiceIdentity } from './identity.js';
import type { Keyspace } from './keyspace.js';
import type { RedisClient } from './redis-client.js';
import type { HydraLogger } from './logger.js';
import type { QueueConsumerRegistry } from './queue/queue-consumer-registry.js';

/**
 * What every feature module of a running instance shares: the command connection, the key names,
 * who we are and where to log. Built once by {@link Hydra}; features never open connections themselves.
 */
export interface HydraContext {
  /** The command connection (not in subscriber mode). */
  readonly redis: RedisClient;
  readonly keys: Keyspace;
  readonly identity: ServiceIdentity;
  readonly logger: HydraLogger;
  /** Where queue consumers report themselves, for metrics (a `Hydra` instance has one). */
  readonly queueConsumers?: QueueConsumerRegistry;
}

/** Where a Hydra instance is in its life: `new` until `start()`, `stopped` for good after `stop()`. */
export type HydraState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';
