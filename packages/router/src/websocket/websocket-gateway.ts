import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Hydra } from '@hydra-nest/core';
import { parseMessage, parseRoute, UmfError, type UmfMessage } from '@hydra-nest/umf';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { clientError, welcomeMessage } from './client-messages.js';
import { ClientSocket } from './client-socket.js';
import { newCounters, type GatewayCounters } from './gateway-counters.js';
import { RouterRequests } from './router-requests.js';
import { ServiceForwarder } from './service-forwarder.js';
import { resolveGatewayOptions, type WebSocketGatewayOptions } from './websocket-options.js';

/** A WebSocket gateway attached to an HTTP server; see {@link attachWebSocketGateway}. */
export interface WebSocketGateway {
  /**
   * Hands a message a service sent to the router on to the client it names, as hydra-router does: the
   * client id is the part after `-` in `via` (`<router id>-<client id>@hydra-router:/`) or the instance
   * of `fwd` (`<client id>@client:/`). False when no such client is connected here.
   */
  deliver(message: UmfMessage): boolean;
  /** A copy of the gateway's counters (sockets open, requests waiting, messages by outcome). */
  stats(): GatewayCounters;
  /** Stops taking upgrades, closes every socket (code 1001) and forgets every client. */
  close(): Promise<void>;
}

/**
 * Serves hydra-router's WebSocket protocol on `server`: each client gets a `connection` welcome message
 * with its socket id, sends UMF messages (short or long keys), and gets each service's reply with `rmid`
 * = its message's `mid`, in UMF short form. Messages to services, `[method]` routes included, go over
 * pub/sub as UMF requests of `hydra` (which must be started); messages to the router itself (`ping`,
 * `reconnect`, router requests) are answered here. Malformed JSON or invalid UMF gets a 400 error reply
 * and the socket stays open.
 *
 * @example
 * const server = http.createServer(handler);
 * const gateway = attachWebSocketGateway(server, hydra, { maxInFlightPerSocket: 32 });
 * server.listen(5353);
 * // later
 * await gateway.close();
 */
export function attachWebSocketGateway(
  server: Server,
  hydra: Hydra,
  options: WebSocketGatewayOptions = {},
): WebSocketGateway {
  const settings = resolveGatewayOptions(options, hydra.serviceName);
  const routerRoute = `${hydra.instanceId}@${hydra.serviceName}:/`;
  const routerNames = new Set(settings.routerNames);
  const counters = newCounters();
  const clients = new Map<string, ClientSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: settings.maxMessageBytes });
  const forwarder = new ServiceForwarder(hydra, settings, routerRoute, counters);
  const routerRequests = new RouterRequests(routerRoute, counters, rename, deliver, settings.routerRequests);
  let closed = false;

  function rename(client: ClientSocket, id: string): boolean {
    if (clients.has(id)) return false;
    clients.delete(client.id);
    client.id = id;
    clients.set(id, client);
    return true;
  }

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (settings.path !== undefined && pathOf(request) !== settings.path) {
      // Another listener may serve this path; refuse only when none will.
      if (server.listenerCount('upgrade') === 1) refuse(socket, 404, 'Not Found');
      return;
    }
    if (closed || clients.size >= settings.maxSockets) {
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => accept(ws, request));
  }

  function accept(ws: WebSocket, request: IncomingMessage): void {
    if (closed) {
      ws.close(1001, 'router shutting down');
      return;
    }
    const client = new ClientSocket(newSocketId(clients), ws, settings.maxBufferedBytes);
    clients.set(client.id, client);
    counters.sockets++;
    counters.connections++;
    ws.on('message', (data: RawData) => onClientMessage(client, data));
    ws.on('pong', () => (client.alive = true));
    // A protocol error or a message over maxPayload: ws closes the socket itself (1002, 1009), 'close' follows.
    ws.on('error', () => undefined);
    ws.once('close', () => {
      client.markClosed();
      // After a reconnect elsewhere, the id may belong to another socket by now.
      if (clients.get(client.id) === client) clients.delete(client.id);
      counters.sockets--;
    });
    client.send(welcomeMessage(client.id, routerRoute, settings.clientAddress(request)));
  }

  function onClientMessage(client: ClientSocket, data: RawData): void {
    counters.received++;
    let message: UmfMessage;
    let route;
    try {
      message = parseMessage(toText(data));
      route = parseRoute(message.to);
    } catch (error) {
      counters.malformed++;
      const text = error instanceof Error ? error.message : String(error);
      const name = error instanceof UmfError ? error.name : 'UmfParseError';
      client.send(
        clientError(client.route, routerRoute, midOf(data), 400, name, `${text}; the socket stays open`),
      );
      return;
    }
    settings.countMessage?.(route.service);
    if (routerNames.has(route.service) && !(route.instance && route.instance !== hydra.instanceId)) {
      routerRequests.answer(client, message, route);
    } else {
      forwarder.forward(client, message);
    }
  }

  function deliver(message: UmfMessage): boolean {
    const id = clientIdOf(message);
    const client = id === undefined ? undefined : clients.get(id);
    if (!client?.isOpen) return false;
    const forClient: UmfMessage = { ...message };
    delete forClient.via;
    client.send(forClient);
    counters.delivered++;
    return true;
  }

  const heartbeat = setInterval(() => {
    for (const client of clients.values()) {
      if (!client.alive) client.socket.terminate();
      else {
        client.alive = false;
        client.socket.ping();
      }
    }
  }, settings.heartbeatMs);
  heartbeat.unref();
  server.on('upgrade', onUpgrade);
  settings.onMessage?.((message) => {
    if (!closed) deliver(message);
  });

  return {
    deliver,
    stats: () => ({ ...counters }),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      const closing = [...clients.values()].map((client) => closeSocket(client.socket));
      clients.clear();
      await Promise.all(closing);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** A random id that a `<id>@client:/` route carries as is (hex: no `-`, `@` or `:`). */
function newSocketId(taken: Map<string, ClientSocket>): string {
  for (;;) {
    const id = randomBytes(8).toString('hex');
    if (!taken.has(id)) return id;
  }
}

function clientIdOf(message: UmfMessage): string | undefined {
  try {
    if (message.via) return parseRoute(message.via).subId;
    if (message.fwd) return parseRoute(message.fwd).instance;
  } catch {
    // An unparsable via/fwd names no client.
  }
  return undefined;
}

/** Closes a socket with 1001 (going away); one that does not finish the close handshake in 1 s is cut. */
function closeSocket(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === ws.CLOSED) return resolve();
    const cut = setTimeout(() => ws.terminate(), 1000);
    ws.once('close', () => {
      clearTimeout(cut);
      resolve();
    });
    ws.close(1001, 'router shutting down');
  });
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function pathOf(request: IncomingMessage): string {
  const url = request.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function toText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

/** The `mid` of a message that failed validation, so that its error reply can still carry `rmid`. */
function midOf(data: RawData): string | undefined {
  try {
    const value = JSON.parse(toText(data)) as { mid?: unknown };
    return typeof value?.mid === 'string' && value.mid !== '' ? value.mid : undefined;
  } catch {
    return undefined;
  }
}
