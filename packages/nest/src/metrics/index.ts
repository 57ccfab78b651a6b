// `@hydra-nest/nest/metrics`: Prometheus metrics for a Nest application. A subpath of its own, so that
// applications without metrics never load prom-client.
export * from './hydra-metrics.module.js';
export * from './hydra-metrics.lifecycle.js';
export * from './hydra-metrics.tokens.js';
export type * from './hydra-metrics-options.interface.js';
