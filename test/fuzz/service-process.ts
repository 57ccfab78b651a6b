import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServiceReport } from './fuzz-service.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The forked service under attack. */
export interface ServiceProcess {
  instanceId: string;
  /** Set when the process exited on its own: how. */
  exit: string | undefined;
  report(): Promise<ServiceReport>;
  stop(): Promise<void>;
}

/** Forks the service under attack and resolves once it serves. */
export function startService(
  url: string,
  service: string,
  queueMaxBytes: number,
  sources: boolean,
): Promise<ServiceProcess> {
  const execArgv = [
    ...(sources ? ['--conditions=source'] : []),
    '--import',
    './test/crash/register-ts.mjs',
    '--expose-gc',
  ];
  const child: ChildProcess = fork('test/fuzz/fuzz-service.ts', [url, service, String(queueMaxBytes)], {
    cwd: ROOT,
    execArgv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.stdout!.resume();
  let stopping = false;
  return new Promise((resolve, reject) => {
    const proc: ServiceProcess = {
      instanceId: '',
      exit: undefined,
      report: () =>
        new Promise((res) => {
          child.once('message', (m: { report: ServiceReport }) => res(m.report));
          child.send({ cmd: 'report' });
        }),
      stop: () =>
        new Promise((res) => {
          if (child.exitCode !== null || child.signalCode !== null) return res();
          stopping = true;
          const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.once('exit', () => (clearTimeout(kill), res()));
          child.send({ cmd: 'stop' });
        }),
    };
    child.once('exit', (code, signal) => {
      if (stopping) return;
      proc.exit = `exit code ${code}, signal ${signal}; stderr: ${stderr.slice(-1500)}`;
      reject(new Error(`the fuzz service exited before it served: ${proc.exit}`));
    });
    child.once('message', (m: { ready?: boolean; instanceId?: string }) => {
      if (!m.ready) return;
      proc.instanceId = m.instanceId!;
      resolve(proc);
    });
  });
}
