import type { HydraContext, HydraState } from '../context.js';
import type { Discovery } from '../discovery.js';
import type { InstanceCache } from '../instance-cache.js';

/**
 * What messaging needs of its Hydra instance, and no more: the command connection and key names (from
 * {@link HydraContext}), who is present (the instance cache, and discovery for a named instance not
 * cached), and the instance's state. The `Hydra` instance builds it; messaging never sees the instance itself.
 */
export interface MessagingContext extends HydraContext {
  readonly instances: InstanceCache;
  readonly discovery: Discovery;
  /** The instance's lifecycle state, read when a connection drops. */
  state(): HydraState;
  /** The subscriber connection's ioredis status, for error messages. */
  subscriberStatus(): string;
}
