/** What the WebSocket gateway did since it started; read it with `gateway.stats()`. */
export interface GatewayCounters {
  /** Sockets open now. */
  sockets: number;
  /** Requests forwarded to services that wait for their reply now. */
  inFlight: number;
  /** Sockets accepted since start. */
  connections: number;
  /** Messages received from clients. */
  received: number;
  /** Requests forwarded to services. */
  forwarded: number;
  /** Messages answered by the router itself (ping, reconnect, router requests). */
  routerRequests: number;
  /** Service error replies passed on to clients. */
  serviceErrors: number;
  /** Error replies the gateway made (503, 504, 413, 400 from forwarding). */
  gatewayErrors: number;
  /** Messages that were not JSON or not valid UMF. */
  malformed: number;
  /** Requests refused because their socket had too many waiting (429). */
  refused: number;
  /** Messages from services delivered to clients with `deliver`. */
  delivered: number;
}

/** All counters at zero. */
export function newCounters(): GatewayCounters {
  return {
    sockets: 0,
    inFlight: 0,
    connections: 0,
    received: 0,
    forwarded: 0,
    routerRequests: 0,
    serviceErrors: 0,
    gatewayErrors: 0,
    malformed: 0,
    refused: 0,
    delivered: 0,
  };
}
