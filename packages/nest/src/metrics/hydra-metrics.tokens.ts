/**
 * Injection token of the core `HydraMetrics` (`{ registry, stop }`) that `HydraMetricsModule` sets up:
 * inject it to add metrics of your own to the same registry.
 *
 * @example
 * constructor(@Inject(HYDRA_METRICS) metrics: HydraMetrics) {
 *   new Counter({ name: 'orders_total', help: 'Orders taken', registers: [metrics.registry] });
 * }
 */
export const HYDRA_METRICS = Symbol('hydra-nest:metrics');

/** Injection token of the {@link HydraMetricsModuleOptions}. */
export const HYDRA_METRICS_OPTIONS = Symbol('hydra-nest:metrics-options');
