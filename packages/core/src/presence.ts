import type { HydraContext } from './context.js';
import { execOrThrow } from './pipeline.js';
import { repeatEvery, type StopRepeating } from './repeat.js';
import { pipelineOf } from './redis-client.js';

/** Timing of presence writes; Hydra's values by default. */
export interface PresenceOptions {
  /** How often presence and the nodes entry are rewritten, ms. Hydra: 1000. */
  intervalMs?: number;
  /** TTL of the presence key, seconds. Hydra: 3 (an instance that dies vanishes within 3 s). */
  ttlSeconds?: number;
}

/**
 * Writes that ride a presence refresh: called with the refresh's pipeline before it is sent, it adds its
 * own commands to it (see {@link Presence.carry}).
 */
export type PresenceRider = (pipeline: ReturnType<typeof pipelineOf>) => void | Promise<void>;

/** The nodes-hash entry of an instance, in Hydra's field order. */
export interface NodeEntry {
  serviceName: string;
  serviceDescription: string;
  version?: string;
  instanceID: string;
  updatedOn: string;
  processID: number;
  ip: string;
  port: string | number;
  hostName: string;
}

/**
 * Keeps this instance visible to Hydra discovery: the service registry entry, the presence key
 * (short TTL, rewritten every second) and the instance's entry in the nodes hash (Hydra's shared one, or
 * its service's own in Cluster layout: see `Keyspace.nodesOf`).
 */
export class Presence {
  /** How often presence and the nodes entry are rewritten, ms. */
  readonly intervalMs: number;
  private stopRefreshing: StopRepeating | undefined;
  private readonly ttlSeconds: number;
  private readonly riders = new Set<PresenceRider>();

  constructor(
    private readonly ctx: HydraContext,
    options: PresenceOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.ttlSeconds = options.ttlSeconds ?? 3;
  }

  /** Whether the refresh timer runs. */
  get active(): boolean {
    return this.stopRefreshing !== undefined;
  }

  /** The nodes-hash entry as it is written now. */
  nodeEntry(): NodeEntry {
    const id = this.ctx.identity;
    return {
      serviceName: id.serviceName,
      serviceDescription: id.serviceDescription,
      version: id.serviceVersion,
      instanceID: id.instanceId,
      updatedOn: new Date().toISOString(),
      processID: id.processId,
      ip: id.ip,
      port: id.port,
      hostName: id.hostName,
    };
  }

  /**
   * Writes the registry entry, presence and node in one round trip and starts the refresh timer.
   * Calling it again (after Redis lost its data) rewrites everything.
   */
  async register(): Promise<void> {
    const { redis, keys, identity } = this.ctx;
    const entry = JSON.stringify({
      serviceName: identity.serviceName,
      type: identity.serviceType,
      registeredOn: new Date().toISOString(),
    });
    const pipeline = pipelineOf(redis).set(keys.service(identity.serviceName), entry);
    if (keys.nodesPerService) pipeline.sadd(keys.serviceIndex(), identity.serviceName);
    this.addRefresh(pipeline);
    await execOrThrow(pipeline, this.ctx);
    this.stopRefreshing ??= repeatEvery(this.intervalMs, () => void this.refresh().catch(() => undefined));
  }

  /** Rewrites presence and the node entry, with what the riders add (one pipelined round trip). */
  async refresh(): Promise<void> {
    const pipeline = this.addRefresh(pipelineOf(this.ctx.redis));
    for (const rider of this.riders) {
      try {
        await rider(pipeline);
      } catch {
        // A rider's failure is its own (it writes on its next turn); presence is written regardless.
      }
    }
    await execOrThrow(pipeline, this.ctx);
  }

  /**
   * Sends `rider`'s writes with every refresh, in the same round trip: each round trip costs Redis a
   * read, a parse and a reply write whatever it carries, so thousands of instances cost less when their
   * periodic writes travel together. Returns the function that stops it.
   */
  carry(rider: PresenceRider): StopRepeating {
    this.riders.add(rider);
    return () => void this.riders.delete(rider);
  }

  /** Stops refreshing and removes presence and the node entry at once, so callers stop choosing us. */
  async deregister(): Promise<void> {
    this.stopRefreshing?.();
    this.stopRefreshing = undefined;
    const { redis, keys, identity } = this.ctx;
    await execOrThrow(
      pipelineOf(redis)
        .del(keys.presence(identity.serviceName, identity.instanceId))
        .hdel(keys.nodesOf(identity.serviceName), identity.instanceId),
      this.ctx,
    );
  }

  private addRefresh<P extends ReturnType<HydraContext['redis']['pipeline']>>(pipeline: P): P {
    const { keys, identity } = this.ctx;
    pipeline
      .setex(keys.presence(identity.serviceName, identity.instanceId), this.ttlSeconds, identity.instanceId)
      .hset(keys.nodesOf(identity.serviceName), identity.instanceId, JSON.stringify(this.nodeEntry()));
    return pipeline;
  }
}
