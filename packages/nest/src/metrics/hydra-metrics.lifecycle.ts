import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { serveMetrics, type HydraMetrics, type MetricsServer } from '@hydra-nest/core/metrics';
import { HYDRA_METRICS, HYDRA_METRICS_OPTIONS } from './hydra-metrics.tokens.js';
import type { HydraMetricsModuleOptions } from './hydra-metrics-options.interface.js';

/** Starts the metrics port (when one is asked for) and stops collecting at shutdown. */
@Injectable()
export class HydraMetricsLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('HydraMetrics');
  private server: MetricsServer | undefined;

  constructor(
    @Inject(HYDRA_METRICS) private readonly metrics: HydraMetrics,
    @Inject(HYDRA_METRICS_OPTIONS) private readonly options: HydraMetricsModuleOptions,
  ) {}

  /** The port the metrics are served on, when they have one of their own. */
  get port(): number | undefined {
    return this.server?.port;
  }

  async onModuleInit(): Promise<void> {
    if (this.options.port === undefined) return;
    this.server = await serveMetrics({
      port: this.options.port,
      host: this.options.host,
      registry: this.metrics.registry,
    });
    this.logger.log(`metrics served at http://${this.options.host ?? '0.0.0.0'}:${this.server.port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    this.metrics.stop();
    await this.server?.close();
  }
}
