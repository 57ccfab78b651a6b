import type { HydraContext } from './context.js';
import { execOrThrow } from './pipeline.js';
import { repeatEvery, type StopRepeating } from './repeat.js';

/** The outcome of one user-contributed health check. */
export interface HealthCheckResult {
  status: 'up' | 'down' | 'degraded';
  details?: Record<string, unknown>;
}

/** A user-contributed health check; a throw or a result later than 1 s counts as down. */
export type HealthCheck = () => HealthCheckResult | Promise<HealthCheckResult>;

/** Hydra's health snapshot (key order as Hydra writes it), plus hydra-nest's checks when any exist. */
export interface HealthSnapshot {
  serviceName: string;
  instanceID: string;
  hostName: string;
  sampledOn: string;
  processID: number;
  architecture: string;
  platform: string;
  nodeVersion: string;
  memory: NodeJS.MemoryUsage;
  uptimeSeconds: number;
  status?: HealthCheckResult['status'];
  checks?: Record<string, HealthCheckResult>;
}

/** Timing of health snapshots. */
export interface HealthOptions {
  /**
   * How often the snapshot is written, ms. Default 2000: shorter than the 3 s TTL, so the key never
   * lapses between writes (with Hydra's 5000 it is missing 2 s out of every 5). Readers do not care.
   */
  intervalMs?: number;
  /** TTL of the snapshot key, seconds. Hydra: 3. */
  ttlSeconds?: number;
}

const CHECK_TIMEOUT_MS = 1000;
const LOG_TTL_SECONDS = 604800;
const SEVERITY = { up: 0, degraded: 1, down: 2 } as const;

/** Publishes this instance's health snapshot on Hydra's schedule and runs user-contributed checks. */
export class HealthReporter {
  private readonly checks = new Map<string, HealthCheck>();
  private stopPublishing: StopRepeating | undefined;
  private readonly intervalMs: number;
  private readonly ttlSeconds: number;

  constructor(
    private readonly ctx: HydraContext,
    options: HealthOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 2000;
    this.ttlSeconds = options.ttlSeconds ?? 3;
  }

  /** Adds (or replaces) a named check whose result is published with every snapshot. */
  addCheck(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  removeCheck(name: string): void {
    this.checks.delete(name);
  }

  /** The current snapshot, running every check (in parallel, each bounded to 1 s). */
  async snapshot(): Promise<HealthSnapshot> {
    const { identity } = this.ctx;
    const snapshot: HealthSnapshot = {
      serviceName: identity.serviceName,
      instanceID: identity.instanceId,
      hostName: identity.hostName,
      sampledOn: new Date().toISOString(),
      processID: identity.processId,
      architecture: process.arch,
      platform: process.platform,
      nodeVersion: process.version,
      memory: process.memoryUsage(),
      uptimeSeconds: process.uptime(),
    };
    if (this.checks.size === 0) return snapshot;
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await runCheck(check)] as const),
    );
    snapshot.checks = Object.fromEntries(entries);
    snapshot.status = entries.reduce<HealthCheckResult['status']>(
      (worst, [, r]) => (SEVERITY[r.status] > SEVERITY[worst] ? r.status : worst),
      'up',
    );
    return snapshot;
  }

  /** Writes the snapshot (TTL) and extends the flight recorder's expiry, in one round trip. */
  async publish(): Promise<void> {
    const { redis, keys, identity } = this.ctx;
    const json = JSON.stringify({ updatedOn: new Date().toISOString(), ...(await this.snapshot()) });
    await execOrThrow(
      redis
        .pipeline()
        .setex(keys.health(identity.serviceName, identity.instanceId), this.ttlSeconds, json)
        .expire(keys.healthLog(identity.serviceName, identity.instanceId), LOG_TTL_SECONDS),
    );
  }

  /** Publishes now and then every interval. Failures while Redis is away are skipped quietly. */
  start(): void {
    if (this.stopPublishing) return;
    const publish = () => void this.publish().catch(() => undefined);
    publish();
    this.stopPublishing = repeatEvery(this.intervalMs, publish);
  }

  stop(): void {
    this.stopPublishing?.();
    this.stopPublishing = undefined;
  }

  /** What Hydra does on shutdown: let the snapshot lapse in 3 s and keep the log for a week. */
  async expireNow(): Promise<void> {
    const { redis, keys, identity } = this.ctx;
    await execOrThrow(
      redis
        .pipeline()
        .expire(keys.health(identity.serviceName, identity.instanceId), 3)
        .expire(keys.healthLog(identity.serviceName, identity.instanceId), LOG_TTL_SECONDS),
    );
  }
}

async function runCheck(check: HealthCheck): Promise<HealthCheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheckResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'down', details: { error: `check took longer than ${CHECK_TIMEOUT_MS} ms` } }),
      CHECK_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (error) {
    return { status: 'down', details: { error: error instanceof Error ? error.message : String(error) } };
  } finally {
    clearTimeout(timer);
  }
}
