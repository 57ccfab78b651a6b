import { Controller, Get, Header, Inject, type Type } from '@nestjs/common';
import type { HydraMetrics } from '@hydra-nest/core/metrics';
import { HYDRA_METRICS } from './hydra-metrics.tokens.js';

/** Content type of the Prometheus text format 0.0.4, what prom-client's default registry writes. */
const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * A controller that answers `GET <path>` with the metrics, on the application's HTTP server whatever
 * its platform (Express or Fastify). Made per path, since a route's path is fixed when it is declared.
 */
export function metricsControllerFor(path: string): Type<unknown> {
  @Controller()
  class HydraMetricsController {
    constructor(@Inject(HYDRA_METRICS) private readonly metrics: HydraMetrics) {}

    @Get(path)
    @Header('Content-Type', PROMETHEUS_TEXT)
    @Header('Cache-Control', 'no-store')
    scrape(): Promise<string> {
      return this.metrics.registry.metrics();
    }
  }
  return HydraMetricsController;
}
