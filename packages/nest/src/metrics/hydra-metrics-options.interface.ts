import type { HydraMetricsOptions } from '@hydra-nest/core/metrics';

/**
 * What `HydraMetricsModule.forRoot()` takes: where to serve the metrics, and the options of core's
 * `collectHydraMetrics` (registry, prefix, route limit, latency buckets, extra queues).
 */
export interface HydraMetricsModuleOptions extends HydraMetricsOptions {
  /**
   * Path of the exposition on the application's own HTTP server (under its global prefix, if any).
   * Default `/metrics`. Ignored when `port` is set.
   */
  path?: string;
  /**
   * Serve the metrics on a port of their own instead (`GET /metrics` there), e.g. to keep them off a
   * public HTTP server, or for a microservice without one. 0 picks a free port.
   */
  port?: number;
  /** Interface of that port. Default: every interface. */
  host?: string;
}
