import { Hydra, type HydraLogger, type RedisConnectionOptions } from '@hydra-nest/core';
import { eventually } from '../../harness/wait.js';
import { ServiceProcess, type Completion } from './service-process.js';
import type { ChildConfig } from './service-child.js';
import { TrackedCalls, type CallSummary } from './tracked-calls.js';

/** `small`: the bounded form CI runs (seconds per scenario); `full`: `npm run faults`. */
export type ScenarioSize = 'small' | 'full';

/** What one fault scenario measured. */
export interface ScenarioResult extends CallSummary {
  /** The scenario's file name, without extension. */
  name: string;
  /** What was done, in a few words (the table's first column). */
  title: string;
  /** The fault and the load, in a sentence. */
  setup: string;
  unit: 'requests' | 'jobs';
  /** Jobs queued (accepted by Redis) that were never completed; queue scenarios only. */
  jobsLost?: number;
  /** Extra completions of jobs already completed (at-least-once delivery); queue scenarios only. */
  duplicates?: number;
  /** From the end of the fault until work succeeds again for good (see `TrackedCalls.recoveryMs`). */
  recoveryMs: number | undefined;
  /** The moment recovery is measured from ("Redis back", "SIGCONT", ...). */
  recoveredFrom: string;
  /** Scenario-specific observations, for the table's last column. */
  notes: string[];
  /** Scenario-specific facts the bounded test checks. */
  facts: Record<string, unknown>;
}

/** One fault scenario: one file of ../scenarios. */
export interface FaultScenario {
  name: string;
  title: string;
  run(size: ScenarioSize): Promise<ScenarioResult>;
}

/** The service every scenario's children run. */
export const SERVICE = 'fault-echo-svc';

/** A logger that keeps the lines, for facts about what a process said. */
export function keptLogger(lines: string[]): HydraLogger {
  const keep = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`);
    if (process.env.FAULTS_VERBOSE) process.stderr.write(`[load client] ${level} ${message}\n`);
  };
  return { log: keep('log'), warn: keep('warn'), error: keep('error') };
}

/**
 * What a scenario starts and must stop whatever happens: service processes, the load client, and
 * anything else registered with {@link defer}.
 */
export class ScenarioRig {
  readonly services: ServiceProcess[] = [];
  readonly clientLogs: string[] = [];
  client: Hydra | undefined;
  private readonly cleanups: Array<() => Promise<unknown> | unknown> = [];

  constructor(private readonly redis: RedisConnectionOptions) {}

  /** Starts `count` service processes (in parallel). */
  async startServices(count: number, extra: Partial<ChildConfig> = {}): Promise<ServiceProcess[]> {
    const started = await Promise.all(
      Array.from({ length: count }, () =>
        ServiceProcess.start({ service: SERVICE, redis: this.redis, workMs: 5, ...extra }),
      ),
    );
    this.services.push(...started);
    return started;
  }

  /** Starts the load client (a registered instance, so that replies reach it) and waits to see `instances`. */
  async startClient(instances: number): Promise<Hydra> {
    this.client = new Hydra({
      serviceName: 'fault-load-client',
      serviceIP: '127.0.0.1',
      servicePort: 1,
      logger: keptLogger(this.clientLogs),
      redis: this.redis,
    });
    await this.client.start();
    await this.client.instances.watch(SERVICE);
    await eventually(() => this.client!.instances.peek(SERVICE)?.length === instances, {
      timeoutMs: 10_000,
      what: `the load client to see ${instances} instances of ${SERVICE}`,
    });
    return this.client;
  }

  /** Runs `cleanup` when the rig is closed, before the services are killed. */
  defer(cleanup: () => Promise<unknown> | unknown): void {
    this.cleanups.push(cleanup);
  }

  /** Stops the client and kills every service process. */
  async close(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
    await this.client?.stop();
    await Promise.all(this.services.map((s) => s.kill()));
  }
}

/**
 * Paced echo requests from `client` to the service: each asks `{ n }` and must get `{ echo: { n } }`
 * back. `timeoutMs` is each request's deadline.
 */
export function echoRequests(
  client: Hydra,
  options: { concurrency: number; ratePerSecond: number; durationMs: number; timeoutMs: number; to?: string },
): TrackedCalls {
  const to = options.to ?? `${SERVICE}:/`;
  return new TrackedCalls({ ...options, deadlineMs: options.timeoutMs }, async (n) => {
    const reply = await client.messaging.request({ to, bdy: { n } }, { timeoutMs: options.timeoutMs });
    return (reply.bdy as { echo?: { n?: number } }).echo?.n === n;
  });
}

/** Milliseconds from `from` until `check` holds (polled every 10 ms), or undefined after `timeoutMs`. */
export async function msUntil(
  from: number,
  check: () => boolean,
  timeoutMs: number,
): Promise<number | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - from;
}

/** The first completion reported at or after `at` (ms), over all workers. */
export function firstCompletionAfter(services: ServiceProcess[], at: number): Completion | undefined {
  let first: Completion | undefined;
  for (const s of services) {
    for (const c of s.completions) if (c.at >= at && (!first || c.at < first.at)) first = c;
  }
  return first;
}

/** The load in a few words: `400 req/s from 32 workers, 5 s deadline`. */
export function loadText(s: { ratePerSecond: number; concurrency: number }, timeoutMs: number): string {
  return `${s.ratePerSecond} req/s from ${s.concurrency} workers, ${timeoutMs / 1000} s deadline`;
}

/** `1.23 s` */
export function seconds(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(2)} s`;
}
