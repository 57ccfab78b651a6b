import type { UmfMessage, UmfRoute } from '@hydra-nest/umf';
import type { InstanceInfo } from '../discovery.js';
import { RedisPermissionError } from '../errors.js';
import { explainRefusal } from '../redis-permission.js';
import { isErrorReply } from './error-replies.js';
import { NOT_SERVING, type ReplyReceiver } from './incoming-messages.js';
import type { MessagingStats } from './messaging-stats.js';
import type { MessagingContext } from './messaging-context.js';
import {
  HydraTimeoutError,
  MessageTooLargeError,
  MessagingConnectionError,
  RemoteError,
  ServiceUnavailableError,
} from './messaging-errors.js';
import type { MessagingOptions } from './messaging-options.js';
import { ConnectionGate } from './connection-gate.js';
import { PendingRequests, type PendingRequest } from './pending-requests.js';
import type { Publisher } from './publisher.js';
import type { RouteCache } from './route-cache.js';

/** Pause before looking for instances again when none was present. */
const RETRY_PAUSE_MS = 100;
/**
 * Rejections of a command that never reached a server that took it: ioredis did not write it (the
 * connection was not writable, with no offline queue), or a cluster kept redirecting it (MOVED,
 * CLUSTERDOWN, TRYAGAIN: during a failover or a slot move). Such a request is safe to send again.
 */
const NOT_DELIVERED = /enableOfflineQueue|\bMOVED\b|CLUSTERDOWN|TRYAGAIN/;

/**
 * The request-reply half of messaging: sends each request to one instance through the
 * {@link Publisher}, with its remaining time in `tmo`; correlates replies on `rmid`; enforces deadlines;
 * and retries on another instance only where the request cannot have run there:
 * - no instance is present yet (after a pause and a fresh look in Redis);
 * - nobody listened on the chosen instance's channel (PUBLISH reached no subscriber: nobody got it);
 * - the chosen instance answered that no handler took the request (a {@link NOT_SERVING} 503);
 * - the chosen instance left the registry before answering (it stopped or its presence expired).
 * A timeout is never retried: the handler may be running. Every request settles exactly once: reply,
 * error reply, timeout, or abort.
 */
export class RequestDispatcher implements ReplyReceiver {
  private readonly pending = new PendingRequests((p) => this.expire(p));
  private readonly gate: ConnectionGate;

  constructor(
    private readonly ctx: MessagingContext,
    private readonly publisher: Publisher,
    private readonly routes: RouteCache,
    private readonly options: MessagingOptions,
    private readonly stats: MessagingStats,
  ) {
    this.gate = new ConnectionGate(ctx, (pending) => this.dispatch(pending));
  }

  /** Number of requests waiting for their reply. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Sends a complete, valid request (its `frm` names this instance) and resolves its reply.
   * `retries` extra attempts are made only where safe; none when `to` names an instance.
   */
  start(message: UmfMessage, route: UmfRoute, timeoutMs: number, retries: number): Promise<UmfMessage> {
    return new Promise<UmfMessage>((resolve, reject) => {
      const pending: PendingRequest = {
        message,
        route,
        timeoutMs,
        deadline: Date.now() + timeoutMs,
        target: undefined,
        previous: undefined,
        attempts: 0,
        maxAttempts: (route.instance ? 0 : retries) + 1,
        resolve,
        reject,
      };
      this.pending.add(pending);
      this.dispatch(pending);
    });
  }

  /**
   * Settles the request a valid reply answers; false when none waits for it, or when the reply does not
   * come from the service the request went to (a stray or forged `rmid` must not settle a request).
   */
  settle(reply: UmfMessage): boolean {
    const pending = this.pending.get(reply.rmid!);
    if (!pending || !this.isFrom(reply, pending.route.service)) return false;
    if (isErrorReply(reply) && reply.bdy.error.name === NOT_SERVING) {
      // From an instance the request has left (it went on when that one left the registry): stale.
      const by = (reply.bdy.error.details as { instanceId?: unknown } | undefined)?.instanceId;
      if (typeof by === 'string' && by !== pending.target) return true;
      pending.refusal = reply.bdy.error.message;
      if (this.mayRetry(pending)) {
        this.stats.retries++;
        this.dispatch(pending); // no handler ran there: another instance may serve it
      } else this.pending.take(reply.rmid!)?.reject(this.unavailable(pending));
      return true;
    }
    this.pending.take(reply.rmid!);
    if (isErrorReply(reply)) {
      const { statusCode, error } = reply.bdy;
      pending.reject(
        new RemoteError(pending.route.service, statusCode, error.name, error.message, error.details, reply),
      );
    } else {
      pending.resolve(reply);
    }
    return true;
  }

  /** A request whose target left the instance list before answering goes to another instance. */
  onInstancesChanged(service: string, instances: InstanceInfo[]): void {
    if (this.pending.size === 0) return;
    const present = new Set(instances.map((i) => i.instanceID));
    for (const pending of this.pending.orphansOf(service, present)) {
      if (!this.mayRetry(pending)) {
        this.pending
          .take(pending.message.mid)
          ?.reject(
            new ServiceUnavailableError(
              service,
              `instance ${pending.target} of ${service} went away before it answered "${pending.message.to}" ` +
                `(${pending.attempts} attempt${pending.attempts === 1 ? '' : 's'})`,
            ),
          );
      } else {
        this.stats.retries++;
        this.dispatch(pending);
      }
    }
  }

  /** Rejects every waiting request with a {@link MessagingConnectionError} giving `reason`. */
  abortAll(reason: string): void {
    this.gate.clear();
    this.abort(reason);
  }

  /**
   * The subscriber connection is gone: the replies of the requests already sent are lost, so they are
   * rejected with `reason`; new requests (and retries) are held until {@link resume}.
   */
  pause(reason: string): void {
    this.gate.subscriberLost();
    this.abort(reason, (p) => !this.gate.holds(p));
  }

  /** The subscriber listens again: sends the held requests, once the command connection is back too. */
  resume(): void {
    this.gate.subscriberBack();
  }

  /** The command connection is back after a loss: sends the held requests, if the subscriber is back too. */
  onCommandBack(): void {
    this.gate.commandBack();
  }

  /** Another master took over slots: targets there are subscribing again in a moment. */
  onClusterChanged(): void {
    this.gate.sawDisruption();
  }

  private abort(reason: string, which?: (pending: PendingRequest) => boolean): void {
    this.pending.rejectAll(
      (p) =>
        new MessagingConnectionError(`request to ${p.route.service} ("${p.message.to}") aborted: ${reason}`),
      which,
    );
  }

  /** Chooses a target from memory and publishes; synchronous up to the PUBLISH. */
  private dispatch(pending: PendingRequest): void {
    const { route, message } = pending;
    if (!this.pending.has(message.mid)) return; // settled while a retry was scheduled
    if (this.gate.hold(pending)) return;
    const cache = this.ctx.instances;
    if (!route.instance && !cache.isWatched(route.service)) {
      cache.watch(route.service).then(
        () => this.dispatch(pending),
        (error: Error) => this.failToSend(pending, error),
      );
      return;
    }
    pending.attempts++;
    if (pending.target !== undefined) (pending.previous ??= new Set()).add(pending.target);
    const target =
      route.instance ?? cache.pick(route.service, this.options.loadBalancing, pending.previous)?.instanceID;
    pending.target = target;
    if (!target) return this.retryLater(pending);
    // The sender's remaining time travels with the request, so the callee skips what nobody awaits.
    const sentAt = Date.now();
    const tmo = Math.max(1, pending.deadline - sentAt) / 1000;
    this.publisher.requestTo(route.service, target, message, tmo).then(
      (receivers) => receivers === 0 && this.onNobodyListening(pending, target, sentAt),
      (error: Error) => this.failToSend(pending, error),
    );
  }

  /** Whether another instance may be tried: `to` names none, and attempts are left. */
  private mayRetry(pending: PendingRequest): boolean {
    return !pending.route.instance && pending.attempts < pending.maxAttempts;
  }

  /**
   * Whether to go on past the retries: this instance's connections came back (or the cluster changed
   * masters) a moment ago, so an instance that does not listen, or none present (those found deaf are
   * dropped until they announce themselves), is most likely subscribing again. Nobody got the request;
   * the deadline still bounds the wait.
   */
  private waitsForDeaf(pending: PendingRequest): boolean {
    return !pending.route.instance && this.gate.recentlyBack();
  }

  private unavailable({ route, refusal }: PendingRequest): ServiceUnavailableError {
    return new ServiceUnavailableError(
      route.service,
      refusal
        ? `no instance of ${route.service} served the request: ${refusal}`
        : `Unavailable ${route.service} instances`,
    );
  }

  private isFrom(reply: UmfMessage, service: string): boolean {
    try {
      return this.routes.parse(reply.frm).service === service;
    } catch {
      return false;
    }
  }

  /** No instance present: look in Redis again after a pause (one may be arriving), or give up. */
  private retryLater(pending: PendingRequest): void {
    const { message } = pending;
    if (pending.attempts >= pending.maxAttempts && !this.waitsForDeaf(pending)) {
      this.pending.take(message.mid)?.reject(this.unavailable(pending));
      return;
    }
    this.stats.retries++;
    const again = () => this.dispatch(pending);
    const retry = () => void this.ctx.instances.refreshAll().then(again, again);
    setTimeout(retry, RETRY_PAUSE_MS).unref();
  }

  /** The chosen instance's channel had no subscriber: nobody got the request, so another instance may. */
  private onNobodyListening(pending: PendingRequest, target: string, sentAt: number): void {
    if (!this.pending.has(pending.message.mid)) return;
    // Nobody got it there, so that instance may be tried again once it listens (and announces itself);
    // until then it is gone, whatever its presence key says. (No target: the retry finds no orphan.)
    pending.target = undefined;
    if (!pending.route.instance) this.ctx.instances.markGone(pending.route.service, target, sentAt);
    if (!this.mayRetry(pending) && !this.waitsForDeaf(pending)) {
      this.pending
        .take(pending.message.mid)
        ?.reject(
          new ServiceUnavailableError(
            pending.route.service,
            `Unavailable ${pending.route.service} instance named ${target} (nobody listens on its channel)`,
          ),
        );
    } else {
      this.stats.retries++;
      this.dispatch(pending);
    }
  }

  private failToSend(pending: PendingRequest, error: Error): void {
    const explained = explainRefusal(error, this.ctx);
    if (error instanceof MessageTooLargeError || explained instanceof RedisPermissionError) {
      this.pending.take(pending.message.mid)?.reject(explained as Error);
      return;
    }
    const running = this.ctx.state() === 'running';
    // Redis or the cluster is in flux: a target not listening a moment later is most likely subscribing again.
    if (running) this.gate.sawDisruption();
    if (running && NOT_DELIVERED.test(error.message)) {
      pending.attempts--; // nobody got it: send it again once the connection (or the cluster) is back
      setTimeout(() => this.dispatch(pending), RETRY_PAUSE_MS).unref();
      return;
    }
    const status = this.ctx.redis.status;
    const hint =
      status === 'ready'
        ? /Cluster redirections/.test(error.message)
          ? `${error.message} (the cluster is failing over or moving a slot; it may or may not have been delivered)`
          : error.message
        : running
          ? `the Redis connection dropped (${status}) as it was sent; it may or may not have reached Redis`
          : `the Redis connection is ${status}; start the Hydra instance first (hydra.start()) and check Redis`;
    this.pending
      .take(pending.message.mid)
      ?.reject(
        new MessagingConnectionError(`could not send to ${pending.route.service}: ${hint}`, { cause: error }),
      );
  }

  private expire(pending: PendingRequest): void {
    this.stats.timeouts++;
    if (this.gate.release(pending)) {
      pending.reject(
        new MessagingConnectionError(
          `request to ${pending.route.service} ("${pending.message.to}") not sent within ${pending.timeoutMs} ms: ` +
            `the connection to Redis is not back yet (command connection: ${this.ctx.redis.status}, subscriber connection: ` +
            `${this.ctx.subscriberStatus()}); check Redis, or raise timeoutMs to wait longer`,
        ),
      );
      return;
    }
    pending.reject(
      new HydraTimeoutError(pending.route.service, pending.message.to, pending.attempts, pending.timeoutMs),
    );
  }
}
