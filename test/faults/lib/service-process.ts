import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ChildConfig } from './service-child.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = 'test/faults/lib/service-child.ts';
const START_TIMEOUT_MS = 20_000;

/** A job a worker child reported done: its id and when (this machine's clock, ms). */
export interface Completion {
  id: string;
  at: number;
}

/**
 * A service under test in its own process (./service-child.ts): started, then killed, stopped, paused
 * or resumed with real signals. Its log lines and the jobs it completed are kept.
 */
export class ServiceProcess {
  /** Every line the service logged, as `<level> <message>`. */
  readonly logs: string[] = [];
  /** Jobs it reported done, in order. */
  readonly completions: Completion[] = [];
  instanceId = '';

  private constructor(
    readonly config: ChildConfig,
    private readonly child: ChildProcess,
  ) {}

  /** Starts a service process and resolves once it serves (registered, and consuming with `queue`). */
  static start(config: ChildConfig): Promise<ServiceProcess> {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', './test/crash/register-ts.mjs', CHILD, JSON.stringify(config)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const service = new ServiceProcess(config, child);
    createInterface({ input: child.stderr! }).on('line', (line) => {
      service.logs.push(line);
      if (process.env.FAULTS_VERBOSE) process.stderr.write(`[${config.service} ${child.pid}] ${line}\n`);
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${config.service} did not start within ${START_TIMEOUT_MS} ms: ${service.logs}`));
      }, START_TIMEOUT_MS);
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`${config.service} exited at start (code ${code}): ${service.logs.join('\n')}`));
      };
      child.once('exit', onExit);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const event = JSON.parse(line) as { event: string; instanceId?: string; id?: string; at?: number };
        if (event.event === 'done') service.completions.push({ id: event.id!, at: event.at! });
        if (event.event === 'ready') {
          clearTimeout(timer);
          child.off('exit', onExit);
          service.instanceId = event.instanceId!;
          resolve(service);
        }
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Whether the process has exited. */
  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Kills it at once, as a crash would. */
  kill(): Promise<void> {
    return this.signalAndWait('SIGKILL');
  }

  /** Stops it gracefully (SIGTERM: the service deregisters and exits); SIGKILL after 10 s. */
  async stop(): Promise<void> {
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.signalAndWait('SIGTERM');
    clearTimeout(timer);
  }

  /** Freezes the process (SIGSTOP): it reads nothing, answers nothing, until {@link resume}. */
  pause(): void {
    this.child.kill('SIGSTOP');
  }

  /** Lets a paused process run again (SIGCONT). */
  resume(): void {
    this.child.kill('SIGCONT');
  }

  private signalAndWait(signal: NodeJS.Signals): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
      if (signal !== 'SIGKILL') this.child.kill('SIGCONT'); // a paused process would never handle it
    });
  }
}

/** Kills every service still running (cleanup after a failed scenario). */
export async function killAll(services: Iterable<ServiceProcess>): Promise<void> {
  await Promise.all([...services].map((s) => s.kill()));
}
