import { createMessage, type UmfMessage, type UmfRoute } from '@hydra-nest/umf';
import { clientError, welcomeMessage } from './client-messages.js';
import type { ClientSocket } from './client-socket.js';
import type { GatewayCounters } from './gateway-counters.js';
import type { RouterRequestHandler } from './websocket-options.js';

/** Socket ids are what `<id>@client:/` routes can carry: no `-`, `@` or `:`. */
const SOCKET_ID = /^[A-Za-z0-9_.]{1,64}$/;

/** Renames a client to the id it had before (its `reconnect` message); false when that id is taken. */
export type Rename = (client: ClientSocket, id: string) => boolean;

/** Hands a message to the connected client its `fwd` names; false when none is connected here. */
export type ToClient = (message: UmfMessage) => boolean;

/**
 * Answers the messages clients address to the router itself, as hydra-router does: `typ: 'ping'` gets a
 * `pong`, `typ: 'reconnect'` (or `'reconnection'`, the spelling of hydra-router's documentation) takes
 * back an earlier socket id, and other requests (its admin API, `[get]/v1/router/version`...) go to the
 * configured {@link RouterRequestHandler}, else get a 404 error reply. A message with `fwd` naming a
 * client (`<id>@client:/`) goes to that client, as hydra-router relays messages between its clients.
 */
export class RouterRequests {
  constructor(
    private readonly routerRoute: string,
    private readonly counters: GatewayCounters,
    private readonly rename: Rename,
    private readonly toClient: ToClient,
    private readonly handler: RouterRequestHandler | undefined,
  ) {}

  /** Answers `message`, whose `to` names the router. */
  answer(client: ClientSocket, message: UmfMessage, route: UmfRoute): void {
    this.counters.routerRequests++;
    if (message.typ === 'ping') {
      client.send(
        createMessage({
          to: message.frm,
          frm: this.routerRoute,
          rmid: message.mid,
          typ: 'pong',
          bdy: { typ: 'pong' },
        }),
      );
      return;
    }
    if (message.typ === 'reconnect' || message.typ === 'reconnection') {
      this.reconnect(client, message);
      return;
    }
    if (message.fwd) {
      this.relay(client, message);
      return;
    }
    void this.askHandler(client, message, route);
  }

  private relay(client: ClientSocket, message: UmfMessage): void {
    const relayed: UmfMessage = { ...message, to: message.fwd! };
    delete relayed.via;
    if (!this.toClient(relayed)) {
      client.send(
        this.error(
          message,
          404,
          'ClientNotConnectedError',
          `no client ${message.fwd} is connected to this router; it may have left, or be connected to another router instance`,
        ),
      );
    }
  }

  private reconnect(client: ClientSocket, message: UmfMessage): void {
    const id = (message.bdy as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string' || !SOCKET_ID.test(id)) {
      client.send(
        this.error(
          message,
          400,
          'InvalidReconnectError',
          'a reconnect message needs bdy.id: the id of the welcome message',
        ),
      );
      return;
    }
    if (id !== client.id && !this.rename(client, id)) {
      client.send(
        this.error(
          message,
          409,
          'SocketIdInUseError',
          `socket id ${id} is in use by an open socket; close that one first`,
        ),
      );
      return;
    }
    client.send(welcomeMessage(client.id, this.routerRoute, undefined));
  }

  private async askHandler(client: ClientSocket, message: UmfMessage, route: UmfRoute): Promise<void> {
    const what = `${route.method ? `[${route.method}]` : ''}${route.path}`;
    try {
      const body = this.handler
        ? await this.handler(message, { method: route.method, path: route.path })
        : undefined;
      if (body === undefined) {
        client.send(
          this.error(
            message,
            404,
            'RouterRequestNotFoundError',
            `the router serves no "${what}" request over WebSocket`,
          ),
        );
        return;
      }
      client.send(createMessage({ to: message.frm, frm: this.routerRoute, rmid: message.mid, bdy: body }));
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      client.send(
        this.error(message, 500, 'RouterRequestError', `the router failed to answer "${what}": ${text}`),
      );
    }
  }

  private error(message: UmfMessage, status: number, name: string, text: string): UmfMessage {
    return clientError(message.frm, this.routerRoute, message.mid, status, name, text);
  }
}
