import { serializeMessage, type UmfMessage, type UmfRoute } from '@hydra-nest/umf';
import type { Redis } from 'ioredis';
import type { LoadBalancing } from '../instance-cache.js';
import { isCluster } from '../redis-client.js';
import { explainRefusal } from '../redis-permission.js';
import type { MessagingStats } from './messaging-stats.js';
import type { MessageSigner } from './message-signing.js';
import { messageTooLarge } from './message-size.js';
import type { MessagingContext } from './messaging-context.js';
import { MessagingConnectionError, ServiceUnavailableError } from './messaging-errors.js';
import { InstanceChannels } from './instance-channels.js';
import { RouteCache } from './route-cache.js';
import { NodeStreams } from './node-streams.js';
import { WriteCoalescer } from './write-coalescer.js';

/** How long a message without `tmo` waits for the command connection to be back. */
const RECONNECT_WAIT_MS = 5000;

/**
 * Where every message leaves this instance: requests, replies, events and broadcasts are each one
 * PUBLISH made here. It signs each message when signing is on, refuses one over `maxMessageBytes`
 * before anything is sent, counts what it sends, and coalesces the socket writes of one event-loop turn.
 *
 * PUBLISH answers how many subscribers got the message; 0 on an instance channel means nobody listens
 * there (the instance is gone), which the callers use to try another instance at once instead of
 * waiting for a deadline. On a cluster, SPUBLISH answers the same from the master that owns the
 * channel's slot, where every instance's subscriber connects (see cluster-subscriber.ts). A PUBLISH that the Redis ACL refuses rejects with a `RedisPermissionError`
 * naming what to grant.
 */
export class Publisher {
  /** Whether service and instance channels are sharded (SPUBLISH: a cluster). */
  private readonly sharded: boolean;
  private readonly writes: WriteCoalescer;
  /** The connection (on a cluster: the master's) each channel's messages go out on. */
  private readonly nodes: NodeStreams;
  private readonly channels: InstanceChannels;
  /** Resolves when the command connection is ready again; set while messages wait for it. */
  private reconnected: Promise<void> | undefined;

  constructor(
    private readonly ctx: MessagingContext,
    private readonly stats: MessagingStats,
    private readonly routes: RouteCache,
    private readonly maxMessageBytes: number,
    private readonly loadBalancing: LoadBalancing | undefined,
    private readonly signer: MessageSigner | undefined,
  ) {
    this.nodes = new NodeStreams(ctx.redis);
    this.writes = new WriteCoalescer();
    this.channels = new InstanceChannels(ctx.keys);
    this.sharded = isCluster(ctx.redis);
  }

  /**
   * Publishes to the instance `to` names (`instance@service:...`), else to one chosen by load balancing
   * among those present, and to another one when nobody listened there. `payload` is the message's text
   * when the caller already has it. Throws synchronously for a malformed `to`.
   *
   * @throws {@link ServiceUnavailableError} when no instance of the service (or not the named one) listens.
   */
  send(message: UmfMessage, payload?: string): Promise<UmfMessage> {
    const route = this.routes.parse(message.to);
    if (!route.instance) return this.sendToAnyInstance(route, message, payload);
    // Not async: a reply (always to a named instance) is on every request's path.
    return this.toInstance(route.service, route.instance, message, payload).then((receivers) => {
      if (receivers === 0) {
        throw new ServiceUnavailableError(
          route.service,
          `Unavailable ${route.service} instance named ${route.instance}`,
        );
      }
      return message;
    }, this.explained);
  }

  /** Rethrows a refused PUBLISH as a `RedisPermissionError`, anything else as it is. */
  readonly explained = (error: unknown): never => {
    throw explainRefusal(error, this.ctx);
  };

  /** Publishes on the channel of one instance; resolves the number of subscribers that got it. */
  toInstance(service: string, instanceId: string, message: UmfMessage, payload?: string): Promise<number> {
    return this.publish(this.channels.of(service, instanceId), message, payload);
  }

  /** Publishes a request on the channel of one instance with `tmo`, its time left, in seconds. */
  requestTo(service: string, instanceId: string, message: UmfMessage, tmo: number): Promise<number> {
    if (this.signer) {
      message.tmo = tmo; // signed over: it must be in the message itself
      return this.publish(this.channels.of(service, instanceId), message);
    }
    return this.publish(this.channels.of(service, instanceId), message, serializeMessage(message, tmo));
  }

  /** Publishes on the service channel, which every instance of `service` hears. */
  toService(service: string, message: UmfMessage): Promise<number> {
    return this.publish(this.ctx.keys.serviceChannel(service), message).catch(this.explained);
  }

  private async sendToAnyInstance(
    route: UmfRoute,
    message: UmfMessage,
    payload?: string,
  ): Promise<UmfMessage> {
    const cache = this.ctx.instances;
    if (!cache.isWatched(route.service)) await cache.watch(route.service);
    let tried: Set<string> | undefined;
    for (;;) {
      const target = cache.pick(route.service, this.loadBalancing, tried);
      if (!target) throw new ServiceUnavailableError(route.service, `Unavailable ${route.service} instances`);
      let receivers: number;
      try {
        receivers = await this.toInstance(route.service, target.instanceID, message, payload);
      } catch (error) {
        return this.explained(error);
      }
      if (receivers > 0) return message;
      // Nobody listens there: nobody got it, and the instance is gone whatever its presence key says.
      cache.markGone(route.service, target.instanceID);
      (tried ??= new Set()).add(target.instanceID);
    }
  }

  private publish(channel: string, message: UmfMessage, text?: string): Promise<number> {
    // Signed as it leaves: after the last change to the message (a retry's `tmo`, a reply's fields).
    const payload = this.signer ? this.signer.serialize(message) : (text ?? serializeMessage(message));
    const tooLarge = messageTooLarge(payload, this.maxMessageBytes, message.to);
    if (tooLarge) return Promise.reject(tooLarge);
    const redis = this.ctx.redis;
    if (redis.status !== 'ready' && this.ctx.state() === 'running') {
      return this.whenReconnected(message).then(() => this.publish(channel, message, payload));
    }
    const connection = this.nodes.connectionFor(channel);
    this.writes.hold(connection);
    this.stats.sent++;
    return this.sharded ? this.spublish(connection, channel, payload) : redis.publish(channel, payload);
  }

  /**
   * SPUBLISH straight on the connection to the slot's master, skipping the cluster client's dispatch;
   * a redirect (the slot moved) sends it again through the cluster client, which follows and learns it.
   */
  private spublish(master: Redis | undefined, channel: string, payload: string): Promise<number> {
    const cluster = this.ctx.redis;
    if (master?.status !== 'ready') return cluster.spublish(channel, payload) as Promise<number>;
    return (master.spublish(channel, payload) as Promise<number>).catch((error: unknown) =>
      isRedirect(error) ? (cluster.spublish(channel, payload) as Promise<number>) : Promise.reject(error),
    );
  }

  /**
   * Resolves once the command connection is ready again, for a message sent while it reconnects (it
   * queues nothing offline): a reply, above all, whose request came in on the subscriber, which may be
   * back first. Rejects after the message's `tmo` (or 5 s): its sender has given up by then.
   */
  private whenReconnected(message: UmfMessage): Promise<void> {
    const redis = this.ctx.redis;
    const waitMs = message.tmo ? message.tmo * 1000 : RECONNECT_WAIT_MS;
    // One listener for every message waiting, however many.
    this.reconnected ??= new Promise<void>((resolve) =>
      redis.once('ready', () => {
        this.reconnected = undefined;
        resolve();
      }),
    );
    let timer: NodeJS.Timeout | undefined;
    const givenUp = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(
          new MessagingConnectionError(
            `message to "${message.to}" not sent within ${Math.round(waitMs)} ms: the Redis connection ` +
              `is ${redis.status}; check Redis`,
          ),
        );
      }, waitMs);
    });
    return Promise.race([this.reconnected, givenUp]).finally(() => clearTimeout(timer));
  }
}

/** Whether a command was refused because its slot is served elsewhere (MOVED, ASK). */
function isRedirect(error: unknown): boolean {
  return error instanceof Error && /^(MOVED|ASK) /.test(error.message);
}
