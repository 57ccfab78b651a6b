/** The hydra-nest gateway: HTTP and WebSocket routing by published routes, admin API, dashboard. */
export {
  attachWebSocketGateway,
  type GatewayCounters,
  type RouterRequestHandler,
  type WebSocketGateway,
  type WebSocketGatewayOptions,
} from './websocket/index.js';
