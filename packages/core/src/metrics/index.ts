// `@hydra-nest/core/metrics`: Prometheus metrics of a Hydra instance, through prom-client. A subpath
// of its own, so that applications without metrics never load prom-client.
export { collectHydraMetrics, type HydraMetrics, type HydraMetricsOptions } from './collect-hydra-metrics.js';
export { DEFAULT_LATENCY_BUCKETS } from './latency-histogram.js';
export { DEFAULT_MAX_ROUTES, OTHER_ROUTE, RouteLabels } from './route-labels.js';
export {
  metricsHandler,
  serveMetrics,
  type MetricsServer,
  type ServeMetricsOptions,
} from './serve-metrics.js';
