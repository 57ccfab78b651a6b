import {
  HydraTimeoutError,
  MessageTooLargeError,
  RemoteError,
  ServiceUnavailableError,
  type Hydra,
} from '@hydra-nest/core';
import { UmfError, type UmfMessage } from '@hydra-nest/umf';
import { clientError, replyForClient } from './client-messages.js';
import type { ClientSocket } from './client-socket.js';
import type { GatewayCounters } from './gateway-counters.js';
import type { ResolvedGatewayOptions } from './websocket-options.js';

/**
 * Forwards a client's message to a service as a UMF request over pub/sub (`[method]` routes and
 * `instance@service` routes alike) and sends the reply back to that client's socket.
 *
 * The request goes under a fresh `mid` and with the router as sender, so that replies come back to this
 * router and no client can collide with another's `mid`; the client gets the reply with `rmid` = its own
 * `mid`. A service's error reply reaches the client whole; the gateway's own errors are error replies
 * with 503 (no instance), 504 (no reply in time), 413 (too large) or 400 (bad route).
 */
export class ServiceForwarder {
  constructor(
    private readonly hydra: Hydra,
    private readonly options: ResolvedGatewayOptions,
    private readonly routerRoute: string,
    private readonly counters: GatewayCounters,
  ) {}

  /** Sends `message` on for `client`, unless the client already has as many requests waiting as it may. */
  forward(client: ClientSocket, message: UmfMessage): void {
    if (client.inFlight >= this.options.maxInFlightPerSocket) {
      this.counters.refused++;
      client.send(
        clientError(
          message.frm,
          this.routerRoute,
          message.mid,
          429,
          'TooManyRequestsError',
          `this socket already has ${client.inFlight} requests waiting for a reply (the limit is ` +
            `${this.options.maxInFlightPerSocket}); wait for replies before sending more, or open another socket`,
        ),
      );
      return;
    }
    client.inFlight++;
    this.counters.inFlight++;
    this.counters.forwarded++;
    this.hydra.messaging
      .request(
        {
          to: message.to,
          hdr: message.hdr,
          typ: message.typ,
          bdy: message.bdy,
          aut: message.aut,
          fwd: message.fwd,
        },
        { timeoutMs: this.timeoutOf(message) },
      )
      .then(
        (reply) => client.send(replyForClient(reply, message)),
        (error: unknown) => client.send(this.errorReply(error, message)),
      )
      .finally(() => {
        client.inFlight--;
        this.counters.inFlight--;
      });
  }

  private timeoutOf(message: UmfMessage): number {
    if (!message.tmo) return this.options.timeoutMs;
    return Math.min(message.tmo * 1000, this.options.maxTimeoutMs);
  }

  private errorReply(error: unknown, request: UmfMessage): UmfMessage {
    if (error instanceof RemoteError && error.reply) {
      this.counters.serviceErrors++;
      return replyForClient(error.reply, request);
    }
    this.counters.gatewayErrors++;
    const [status, name, text] = describe(error);
    return clientError(request.frm, this.routerRoute, request.mid, status, name, text);
  }
}

function describe(error: unknown): [number, string, string] {
  if (error instanceof ServiceUnavailableError) return [503, error.name, error.message];
  if (error instanceof HydraTimeoutError) return [504, error.name, error.message];
  if (error instanceof MessageTooLargeError) return [413, error.name, error.message];
  if (error instanceof RemoteError) return [error.statusCode, error.remoteName, error.remoteMessage];
  if (error instanceof UmfError) return [400, error.name, error.message];
  const e = error instanceof Error ? error : new Error(String(error));
  // Redis went away or the router is stopping: the service may be fine, the path to it is not.
  return [503, e.name, `the router could not complete the request: ${e.message}`];
}
