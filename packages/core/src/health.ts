import type { ChainableCommander } from 'ioredis';
import type { ConnectionStatuses, ConnectionStatus, ConnectionName } from './connection-status.js';
import type { HydraContext } from './context.js';
import { HydraConfigError } from './errors.js';
import { execOrThrow } from './pipeline.js';
import type { Presence } from './presence.js';
import { repeatEvery, type StopRepeating } from './repeat.js';
import { pipelineOf } from './redis-client.js';

/** The outcome of one user-contributed health check. */
export interface HealthCheckResult {
  status: 'up' | 'down' | 'degraded';
  /** Anything useful to an operator (latency, error text, ...); published as is. */
  details?: Record<string, unknown>;
}

/** A user-contributed health check; a throw, or no result within 1 s, counts as `down`. */
export type HealthCheck = () => HealthCheckResult | Promise<HealthCheckResult>;

/**
 * Hydra's health snapshot (fields in the order Hydra writes them: `getHealth()` and hydra-router's
 * `/v1/router/health` serve the same object), plus hydra-nest's `connections` once a Redis connection
 * was lost, and `checks` with their worst `status` when any check is registered. Hydra readers ignore
 * the extra fields.
 */
export interface HealthSnapshot {
  serviceName: string;
  instanceID: string;
  hostName: string;
  sampledOn: string;
  processID: number;
  architecture: string;
  platform: string;
  nodeVersion: string;
  /** `process.memoryUsage()`, numbers in bytes. */
  memory: NodeJS.MemoryUsage;
  /** `process.uptime()`, a float. */
  uptimeSeconds: number;
  /**
   * Each Redis connection of the instance that was lost at least once since start: whether it is back
   * (`state`), how often it was lost, when and why last (absent while none was lost).
   */
  connections?: Partial<Record<ConnectionName, ConnectionStatus>>;
  /** Every registered check's result, by name (only when a check is registered). */
  checks?: Record<string, HealthCheckResult>;
  /** The worst status of the checks (only when a check is registered). */
  status?: HealthCheckResult['status'];
}

/** A snapshot as stored in `P:S:I:health`: `updatedOn` (write time) comes first. */
export interface StoredHealthSnapshot extends HealthSnapshot {
  updatedOn: string;
}

/** Timing of the health snapshot; see {@link HealthReporter}. */
export interface HealthOptions {
  /**
   * How often the snapshot is written, ms. Default 2000, not Hydra's 5000: Hydra's snapshot lives 3 s and
   * is rewritten every 5 s, so it is missing 2 s out of every 5 and readers (hydra-cli `health`,
   * hydra-router's dashboard) then see no health at all. Writing more often than the TTL keeps it present;
   * no Hydra reader depends on the period.
   */
  intervalMs?: number;
  /** TTL of the snapshot key, whole seconds. Default 3, Hydra's. */
  ttlSeconds?: number;
}

const CHECK_TIMEOUT_MS = 1000;
/** Hydra keeps an instance's flight recorder for a week after its last health write. */
const LOG_TTL_SECONDS = 604800;
/**
 * How often a running instance extends its flight recorder's week, ms. Hydra does it with every snapshot;
 * once a minute keeps the same week (each log write sets it too) for a fraction of the commands.
 */
const LOG_EXPIRY_EVERY_MS = 60_000;
/** Hydra's EXPIRE on the snapshot at shutdown. */
const SHUTDOWN_TTL_SECONDS = 3;
const SEVERITY = { up: 0, degraded: 1, down: 2 } as const;

/**
 * Publishes this instance's health snapshot to `P:S:I:health` (with a TTL) and keeps its flight recorder
 * from expiring, as Hydra does, and runs user-contributed checks into the snapshot.
 *
 * @example
 * const health = new HealthReporter(ctx);
 * health.addCheck('db', async () => ((await db.ping()) ? { status: 'up' } : { status: 'down' }));
 * health.start();
 * // ... at shutdown:
 * health.stop();
 * await health.expireNow();
 */
export class HealthReporter {
  private readonly checks = new Map<string, HealthCheck>();
  private readonly intervalMs: number;
  private readonly ttlSeconds: number;
  private stopPublishing: StopRepeating | undefined;
  private publishing = false;
  /** When the snapshot and the log's expiry were last written, ms (0: never). */
  private publishedAt = 0;
  private logExtendedAt = 0;

  constructor(
    private readonly ctx: HydraContext,
    options: HealthOptions = {},
    /** What the instance's Redis connections went through, for the snapshot's `connections`. */
    private readonly connections?: ConnectionStatuses,
  ) {
    this.intervalMs = options.intervalMs ?? 2000;
    this.ttlSeconds = options.ttlSeconds ?? 3;
    if (!(this.intervalMs > 0)) {
      throw new HydraConfigError(
        `health.intervalMs of ${ctx.identity.serviceName} is ${this.intervalMs}; give a positive number of ms (default 2000)`,
      );
    }
    if (!Number.isInteger(this.ttlSeconds) || this.ttlSeconds < 1) {
      throw new HydraConfigError(
        `health.ttlSeconds of ${ctx.identity.serviceName} is ${this.ttlSeconds}; give a whole number of seconds >= 1 (default 3)`,
      );
    }
  }

  /** Adds (or replaces) a named check whose result is published with every snapshot. */
  addCheck(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  /** Removes a named check; a no-op when there is none. */
  removeCheck(name: string): void {
    this.checks.delete(name);
  }

  /** The current snapshot, running every check (in parallel, each bounded to 1 s). Writes nothing. */
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
    const connections = this.connections?.snapshot();
    if (connections) snapshot.connections = connections;
    if (this.checks.size === 0) return snapshot;
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await runCheck(check)] as const),
    );
    snapshot.checks = Object.fromEntries(results);
    snapshot.status = results.reduce<HealthCheckResult['status']>(
      (worst, [, result]) => (SEVERITY[result.status] > SEVERITY[worst] ? result.status : worst),
      'up',
    );
    return snapshot;
  }

  /**
   * Writes the snapshot (`SETEX`, `updatedOn` first) and, on the first write and then once a minute,
   * extends the flight recorder's expiry (`EXPIRE` one week), in one pipelined round trip. Rejects when
   * Redis does.
   */
  async publish(): Promise<void> {
    const pipeline = pipelineOf(this.ctx.redis);
    this.addWrites(pipeline, await this.snapshot());
    await execOrThrow(pipeline, this.ctx);
  }

  /**
   * Publishes at once (Hydra waits 5 s for its first snapshot), then every `intervalMs` on a timer that
   * does not keep the process alive. Given the instance's presence (`heartbeat`), and an interval no
   * shorter than its own, the snapshot rides presence's refresh instead of a timer of its own: one round
   * trip a second for both, not 1.5 (the keys, TTLs and periods stay the same). A snapshot with checks
   * registered (they may take up to 1 s) is written on its own so that it never holds presence back. A
   * tick is skipped while the previous write is pending, and a write that fails while Redis is away is
   * dropped quietly: the connection watcher reports the outage once, and the next tick after
   * reconnecting writes a fresh snapshot.
   */
  start(heartbeat?: Pick<Presence, 'intervalMs' | 'carry'>): void {
    if (this.stopPublishing) return;
    this.stopPublishing =
      heartbeat && this.intervalMs >= heartbeat.intervalMs
        ? heartbeat.carry((pipeline) => this.ride(pipeline, heartbeat.intervalMs))
        : repeatEvery(this.intervalMs, this.tick);
    this.tick();
  }

  private readonly tick = (): void => {
    if (this.publishing) return;
    this.publishing = true;
    this.publish()
      .catch(() => undefined)
      .finally(() => (this.publishing = false));
  };

  /** Adds the snapshot to a presence refresh's `pipeline` when it is due (within half a period). */
  private async ride(pipeline: ChainableCommander, periodMs: number): Promise<void> {
    if (this.publishing || Date.now() - this.publishedAt < this.intervalMs - periodMs / 2) return;
    if (this.checks.size > 0) return this.tick();
    this.addWrites(pipeline, await this.snapshot());
  }

  /** Adds the snapshot's SETEX, and the log's EXPIRE when a minute has passed, to `pipeline`. */
  private addWrites(pipeline: ChainableCommander, snapshot: HealthSnapshot): void {
    const { keys, identity } = this.ctx;
    const now = Date.now();
    const stored: StoredHealthSnapshot = { updatedOn: new Date(now).toISOString(), ...snapshot };
    this.publishedAt = now;
    pipeline.setex(
      keys.health(identity.serviceName, identity.instanceId),
      this.ttlSeconds,
      JSON.stringify(stored),
    );
    if (now - this.logExtendedAt >= LOG_EXPIRY_EVERY_MS) {
      this.logExtendedAt = now;
      pipeline.expire(keys.healthLog(identity.serviceName, identity.instanceId), LOG_TTL_SECONDS);
    }
  }

  /** Stops the periodic writes (the snapshot then lapses within its TTL). */
  stop(): void {
    this.stopPublishing?.();
    this.stopPublishing = undefined;
  }

  /**
   * What Hydra does at shutdown, in one round trip: the snapshot expires in 3 s and the flight recorder
   * is kept for a week, so operators can still read why an instance went away.
   */
  async expireNow(): Promise<void> {
    const { redis, keys, identity } = this.ctx;
    await execOrThrow(
      pipelineOf(redis)
        .expire(keys.health(identity.serviceName, identity.instanceId), SHUTDOWN_TTL_SECONDS)
        .expire(keys.healthLog(identity.serviceName, identity.instanceId), LOG_TTL_SECONDS),
      this.ctx,
    );
  }
}

/** Runs one check, turning a throw or a result later than 1 s into `down` with the reason in details. */
async function runCheck(check: HealthCheck): Promise<HealthCheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthCheckResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'down', details: { error: `check took longer than ${CHECK_TIMEOUT_MS} ms` } }),
      CHECK_TIMEOUT_MS,
    );
    timer.unref();
  });
  try {
    const result = await Promise.race([Promise.resolve().then(check), timeout]);
    if (typeof result !== 'object' || result === null || !Object.hasOwn(SEVERITY, result.status)) {
      return { status: 'down', details: { error: `check returned ${JSON.stringify(result)}, not a status` } };
    }
    return result;
  } catch (error) {
    return { status: 'down', details: { error: error instanceof Error ? error.message : String(error) } };
  } finally {
    clearTimeout(timer);
  }
}
