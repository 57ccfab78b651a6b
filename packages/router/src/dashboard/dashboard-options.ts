/** How the dashboard is served and how often it reads Redis; every field has a default. */
export interface DashboardOptions {
  /** Path the page, its assets and its feed are served under. Default `/dashboard`. */
  basePath?: string;
  /** How often the shared poll loop reads Redis while at least one viewer watches, ms. Default 1000. */
  intervalMs?: number;
  /** Flight-recorder entries shown (newest of all instances). Default 30. */
  logEntries?: number;
  /** How long an instance that stopped (removed its nodes entry) stays on the page, ms. Default 60000. */
  stoppedRetentionMs?: number;
  /**
   * How long an instance that stopped answering (nodes entry left, presence expired: a crash, or a Hydra
   * 1.x instance, which never removes its entry) stays on the page, ms. Default 600000.
   */
  silentRetentionMs?: number;
  /** Services shown even without instances (e.g. a queue only filled by producers). Default none. */
  services?: string[];
  /**
   * Count UMF messages per service from a pattern subscription to the service and instance channels while
   * somebody watches (Redis then delivers each message once more, to the dashboard). Default true; ignored
   * on a Redis Cluster (sharded channels take no patterns).
   */
  messageRates?: boolean;
  /** Page title. Default `hydra-nest`. */
  title?: string;
}

/** {@link DashboardOptions} with the defaults filled in. */
export type ResolvedDashboardOptions = Required<DashboardOptions>;

/** Fills in the defaults and checks the values, naming the option that is wrong. */
export function resolveDashboardOptions(options: DashboardOptions = {}): ResolvedDashboardOptions {
  const basePath = (options.basePath ?? '/dashboard').replace(/\/+$/, '');
  if (!basePath.startsWith('/') || /[?#\s]/.test(basePath)) {
    throw new DashboardOptionsError(
      `dashboard basePath ${JSON.stringify(options.basePath)} must be a path such as "/dashboard"`,
    );
  }
  const resolved: ResolvedDashboardOptions = {
    basePath,
    intervalMs: options.intervalMs ?? 1000,
    logEntries: options.logEntries ?? 30,
    stoppedRetentionMs: options.stoppedRetentionMs ?? 60_000,
    silentRetentionMs: options.silentRetentionMs ?? 600_000,
    services: options.services ?? [],
    messageRates: options.messageRates ?? true,
    title: options.title ?? 'hydra-nest',
  };
  for (const name of ['intervalMs', 'logEntries', 'stoppedRetentionMs', 'silentRetentionMs'] as const) {
    const value = resolved[name];
    if (!Number.isFinite(value) || value < (name === 'intervalMs' ? 50 : 0)) {
      throw new DashboardOptionsError(
        `dashboard option ${name} is ${String(value)}; give a finite number` +
          (name === 'intervalMs' ? ' of at least 50 (ms)' : ' of 0 or more'),
      );
    }
  }
  return resolved;
}

/** A dashboard option has a value it cannot use; the message names the option and what to give. */
export class DashboardOptionsError extends Error {
  override readonly name = 'DashboardOptionsError';
}
