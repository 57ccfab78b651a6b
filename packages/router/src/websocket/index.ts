export { attachWebSocketGateway, type WebSocketGateway } from './websocket-gateway.js';
export type { GatewayCounters } from './gateway-counters.js';
export type { RouterRequestHandler, WebSocketGatewayOptions } from './websocket-options.js';
