import { Module, type DynamicModule } from '@nestjs/common';
import type { Hydra } from '@hydra-nest/core';
import { collectHydraMetrics } from '@hydra-nest/core/metrics';
import { HYDRA } from '../hydra.tokens.js';
import { metricsControllerFor } from './hydra-metrics.controller.js';
import { HydraMetricsLifecycle } from './hydra-metrics.lifecycle.js';
import type { HydraMetricsModuleOptions } from './hydra-metrics-options.interface.js';
import { HYDRA_METRICS, HYDRA_METRICS_OPTIONS } from './hydra-metrics.tokens.js';

/**
 * Serves the Prometheus metrics of the application's Hydra instance (see core's `collectHydraMetrics`
 * for the list): at `/metrics` on the application's HTTP server by default, or on a port of their own.
 * Opt-in; needs `HydraModule` (global) and, for a port of its own, nothing else. The registry is
 * prom-client's global one unless `registry` is given, so the application's own prom-client metrics
 * are served beside them.
 *
 * @example
 * @Module({
 *   imports: [
 *     HydraModule.forRoot({ serviceName: 'users-svc' }),
 *     HydraMetricsModule.forRoot(), // GET /metrics on the app's port
 *     // HydraMetricsModule.forRoot({ port: 9464 }), // or a port of its own
 *   ],
 * })
 * class AppModule {}
 */
@Module({})
export class HydraMetricsModule {
  static forRoot(options: HydraMetricsModuleOptions = {}): DynamicModule {
    return {
      module: HydraMetricsModule,
      controllers: options.port === undefined ? [metricsControllerFor(options.path ?? '/metrics')] : [],
      providers: [
        { provide: HYDRA_METRICS_OPTIONS, useValue: options },
        {
          provide: HYDRA_METRICS,
          useFactory: (hydra: Hydra) => collectHydraMetrics(hydra, options),
          inject: [HYDRA],
        },
        HydraMetricsLifecycle,
      ],
      exports: [HYDRA_METRICS, HydraMetricsLifecycle],
    };
  }
}
