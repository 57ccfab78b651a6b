import { ERROR_REPLY_TYPE, errorBody } from '@hydra-nest/core';
import { createMessage, type UmfMessage } from '@hydra-nest/umf';

/** The route a client is known by: `<socket id>@client:/`, as hydra-router addresses its clients. */
export function clientRoute(socketId: string): string {
  return `${socketId}@client:/`;
}

/**
 * The first message on every socket, as hydra-router sends it: `typ: 'connection'` and the socket's id
 * in `bdy.id`, which a client quotes in a `reconnect` message to keep its identity.
 */
export function welcomeMessage(socketId: string, routerRoute: string, ip: string | undefined): UmfMessage {
  return createMessage({
    to: clientRoute(socketId),
    frm: routerRoute,
    typ: 'connection',
    bdy: { id: socketId, ip },
  });
}

/**
 * An error reply to a client: hydra-nest's error body (Hydra's status object plus `error`), `typ:
 * 'error'`, and `rmid` = the client's `mid` when its message had one.
 */
export function clientError(
  to: string,
  routerRoute: string,
  rmid: string | undefined,
  statusCode: number,
  name: string,
  message: string,
): UmfMessage {
  return createMessage({
    to,
    frm: routerRoute,
    rmid,
    typ: ERROR_REPLY_TYPE,
    bdy: errorBody(statusCode, name, message),
  });
}

/**
 * A service's reply (success or error) as the client gets it: every field as the service sent it, except
 * `to` (the client), `rmid` (the client's own `mid`: the request went on under a `mid` of the router's),
 * `via`, and `sig`, which no longer matches once `to` and `rmid` changed.
 */
export function replyForClient(reply: UmfMessage, request: UmfMessage): UmfMessage {
  const forClient: UmfMessage = { ...reply, to: request.frm, rmid: request.mid };
  delete forClient.via;
  delete forClient.sig;
  return forClient;
}
