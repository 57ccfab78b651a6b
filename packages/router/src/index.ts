/** The hydra-nest gateway: HTTP and WebSocket routing by published routes, admin API, dashboard. */
export * from './dashboard/index.js';
