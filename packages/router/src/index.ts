/** The hydra-nest gateway: HTTP and WebSocket routing by published routes, admin API, dashboard. */
export { createRouter, HydraRouter, ROUTER_VERSION } from './hydra-router.js';
export { RouterConfigError, RouterStateError } from './router-errors.js';
export {
  type HydraRouterOptions,
  type RouterContext,
  type RouterMount,
  type RouterPlugin,
} from './router-options.js';
export { RouteTable, type RouteLookup, type RouteMatch } from './routing/route-table.js';
export { compileRoute, type CompiledRoute } from './routing/route-pattern.js';
export { PerSecondCounts, RouterStats } from './admin/router-stats.js';
export { ADMIN_ROUTES } from './admin/admin-api.js';
export {
  attachWebSocketGateway,
  type GatewayCounters,
  type RouterRequestHandler,
  type WebSocketGateway,
  type WebSocketGatewayOptions,
} from './websocket/index.js';
export * from './dashboard/index.js';
