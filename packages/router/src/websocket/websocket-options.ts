import type { IncomingMessage } from 'node:http';
import { HydraConfigError, type IncomingHandler } from '@hydra-nest/core';
import type { UmfMessage } from '@hydra-nest/umf';

/**
 * Answers a message a WebSocket client sent to the router itself (`hydra-router:[get]/v1/router/version`,
 * as hydra-router's clients do), other than `ping` and `reconnect`, which the gateway answers. Resolves
 * the reply's body, or `undefined` when the router serves no such request (the client then gets a 404).
 * The HTTP router plugs its admin API in here.
 */
export type RouterRequestHandler = (
  message: UmfMessage,
  route: { method: string | undefined; path: string },
) => Promise<unknown> | unknown;

/** Options of {@link attachWebSocketGateway}; every one has a default that works on a laptop. */
export interface WebSocketGatewayOptions {
  /**
   * Only upgrade requests for this path (query ignored) are taken; others are left to other `upgrade`
   * listeners, or refused with 404 when there are none. Default: every path, as hydra-router.
   */
  path?: string;
  /** Largest message a client may send, bytes; a larger one closes its socket with code 1009. Default 1 MiB. */
  maxMessageBytes?: number;
  /**
   * Requests one socket may have waiting for their reply; one more gets a 429 error reply at once, so a
   * single client cannot fill the router's memory. Default 64.
   */
  maxInFlightPerSocket?: number;
  /** Sockets open at once; an upgrade beyond it is refused with 503. Default 10,000. */
  maxSockets?: number;
  /** Deadline of a request forwarded to a service, ms, when the message has no `tmo`. Default 5,000. */
  timeoutMs?: number;
  /** Upper bound of a message's own `tmo` (seconds in the message), ms. Default 30,000. */
  maxTimeoutMs?: number;
  /**
   * How often every socket is pinged, ms; one that has not answered the previous ping is dropped (a
   * client that vanished without closing its TCP connection). Default 30,000.
   */
  heartbeatMs?: number;
  /**
   * Bytes that may wait in one socket's send buffer; a client that reads slower than its replies come is
   * dropped instead of growing the router's memory. Default 8 MiB.
   */
  maxBufferedBytes?: number;
  /** Service names that mean the router itself in `to`. Default: `hydra-router` and the Hydra instance's own name. */
  routerNames?: string[];
  /** Answers router requests other than ping and reconnect; see {@link RouterRequestHandler}. */
  routerRequests?: RouterRequestHandler;
  /**
   * Registers the gateway's receiver of messages that services send to the router for a client (with
   * `via` or `fwd` naming it; see `deliver`). The router passes its own registration here, since
   * `hydra.messaging.setHandler` takes one handler only. Without it, call `gateway.deliver` yourself.
   */
  onMessage?: (handler: IncomingHandler) => void;
  /** Called with the target service of every message a client sends (hydra-router's `wsStats`). */
  countMessage?: (service: string) => void;
  /** The client's address as told in the welcome message. Default: `x-forwarded-for`, else the peer address. */
  clientAddress?: (request: IncomingMessage) => string | undefined;
}

/** {@link WebSocketGatewayOptions} with every default applied. */
export type ResolvedGatewayOptions = Required<
  Omit<WebSocketGatewayOptions, 'path' | 'routerRequests' | 'onMessage' | 'countMessage'>
> &
  Pick<WebSocketGatewayOptions, 'path' | 'routerRequests' | 'onMessage' | 'countMessage'>;

const MIB = 1024 * 1024;

/** Applies the defaults; `serviceName` is the router's Hydra service name. */
export function resolveGatewayOptions(
  options: WebSocketGatewayOptions,
  serviceName: string,
): ResolvedGatewayOptions {
  return {
    path: options.path,
    routerRequests: options.routerRequests,
    onMessage: options.onMessage,
    countMessage: options.countMessage,
    maxMessageBytes: positive(options.maxMessageBytes, MIB, 'maxMessageBytes'),
    maxInFlightPerSocket: positive(options.maxInFlightPerSocket, 64, 'maxInFlightPerSocket'),
    maxSockets: positive(options.maxSockets, 10_000, 'maxSockets'),
    timeoutMs: positive(options.timeoutMs, 5000, 'timeoutMs'),
    maxTimeoutMs: positive(options.maxTimeoutMs, 30_000, 'maxTimeoutMs'),
    heartbeatMs: positive(options.heartbeatMs, 30_000, 'heartbeatMs'),
    maxBufferedBytes: positive(options.maxBufferedBytes, 8 * MIB, 'maxBufferedBytes'),
    routerNames: options.routerNames ?? [...new Set(['hydra-router', serviceName])],
    clientAddress: options.clientAddress ?? defaultClientAddress,
  };
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new HydraConfigError(
      `WebSocket gateway option ${name} must be a positive number, got ${String(value)}; omit it for the default`,
    );
  }
  return value;
}

function defaultClientAddress(request: IncomingMessage): string | undefined {
  const forwarded = request.headers['x-forwarded-for'];
  const first = Array.isArray(forwarded) ? forwarded[0] : forwarded;
  return first?.split(',')[0]?.trim() || request.socket.remoteAddress;
}
