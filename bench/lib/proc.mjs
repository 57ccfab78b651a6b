import os from 'node:os';
// Child processes of the benchmark: forked with an IPC channel, called like remote functions, and always
// killed on the way out (normal end, error, Ctrl-C), as is the private redis-server.
import { fork } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD_ENTRY = path.join(here, 'child.mjs');

/** Every live child, so that an abrupt exit can still kill them all. */
const live = new Set();
let redisToKill;
let clusterToKill;

/** Raised when a contender's module cannot be loaded: the contender is skipped, not the run. */
export class LoadError extends Error {}

/** BENCH_NODE_ARGS: extra node options for every child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
function extraNodeArgs() {
  return (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
}

/** An environment without variables that would steer a peer library away from our private Redis. */
function cleanEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const name of ['HYDRA_REDIS_URL', 'HYDRA_SERVICE', 'REDIS_URL', 'NODE_OPTIONS']) delete env[name];
  return env;
}

/** A forked benchmark child (`bench/lib/child.mjs`) running one contender module in one role. */
export class Child {
  constructor(name, proc) {
    this.name = name;
    this.proc = proc;
    this.nextId = 1;
    this.pending = new Map();
    this.output = '';
    this.exited = false;
    const keep = (chunk) => {
      this.output = (this.output + chunk.toString()).slice(-6000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    proc.on('message', (message) => {
      const waiter = message && this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      clearTimeout(waiter.timer);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${this.name}.${waiter.cmd} failed: ${message.error}`));
    });
    proc.on('exit', (code, signal) => {
      this.exited = true;
      live.delete(this);
      for (const [id, waiter] of this.pending) {
        this.pending.delete(id);
        clearTimeout(waiter.timer);
        waiter.reject(
          new Error(
            `${this.name} exited (code ${code}, signal ${signal}) during ${waiter.cmd}${this.tail()}`,
          ),
        );
      }
    });
  }

  /**
   * Forks a child for `role` with `modulePath`; rejects with LoadError when the module does not load.
   * `wrapper` runs node under another program (`{ command: 'valgrind', args: [...] }`); `entry` is
   * another child script speaking the same IPC protocol (bench/lib/scale-host.mjs).
   */
  static async start(name, role, modulePath, { loadTimeoutMs = 30_000, wrapper, entry = CHILD_ENTRY } = {}) {
    const nodeArgs = ['--expose-gc', ...extraNodeArgs()];
    const proc = fork(entry, [role, modulePath], {
      ...(wrapper
        ? { execPath: wrapper.command, execArgv: [...wrapper.args, process.execPath, ...nodeArgs] }
        : { execArgv: nodeArgs }),
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const child = new Child(name, proc);
    live.add(child);
    const outcome = await new Promise((resolve) => {
      const timer = setTimeout(
        () => resolve({ type: 'load-error', error: `no answer in ${loadTimeoutMs} ms` }),
        loadTimeoutMs,
      );
      const onMessage = (message) => {
        if (message?.type === 'loaded' || message?.type === 'load-error') {
          clearTimeout(timer);
          proc.off('message', onMessage);
          resolve(message);
        }
      };
      proc.on('message', onMessage);
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({
          type: 'load-error',
          error: `exited while loading (code ${code}, signal ${signal})${child.tail()}`,
        });
      });
    });
    if (outcome.type !== 'loaded') {
      child.kill();
      throw new LoadError(explainLoadError(outcome.error));
    }
    return child;
  }

  /** Calls `cmd` in the child; rejects after `timeoutMs`. */
  call(cmd, args = {}, timeoutMs = 30_000) {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running${this.tail()}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}.${cmd} gave no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, cmd });
      this.proc.send({ id, cmd, args });
    });
  }

  /** The last lines the child printed, for error messages. */
  tail() {
    const text = this.output.trim();
    return text
      ? `\n    last output of ${this.name}:\n      ${text.split('\n').slice(-8).join('\n      ')}`
      : '';
  }

  kill(signal = 'SIGKILL') {
    if (!this.exited) {
      try {
        this.proc.kill(signal);
      } catch {
        // already gone
      }
    }
    live.delete(this);
  }

  /** Asks the child to stop cleanly (`stopCmd`), then kills it whatever happened. */
  async stop(stopCmd, timeoutMs = 5000) {
    if (stopCmd && !this.exited) await this.call(stopCmd, {}, timeoutMs).catch(() => undefined);
    if (!this.exited) {
      const gone = new Promise((resolve) => this.proc.once('exit', resolve));
      this.kill('SIGTERM');
      const timer = setTimeout(() => this.kill('SIGKILL'), 2000);
      await gone;
      clearTimeout(timer);
    }
  }
}

/** The first line of a load failure, with a hint when the workspace packages are not built. */
function explainLoadError(text) {
  const first = String(text)
    .split('\n')[0]
    .replace(/^Error( \[\w+\])?: /, '');
  if (
    /Cannot find (module|package) '[^']*@hydra-nest\//.test(first) ||
    /@hydra-nest\/[^/]+\/dist\//.test(first)
  ) {
    return `${first} (not built: run \`npm run build\` first)`;
  }
  return first;
}

/** Registers the private Redis so that an abrupt exit kills it too. */
export function trackRedis(redis) {
  redisToKill = redis;
}

/** Registers the private Redis Cluster (scripts/lib/redis-cluster.mjs) so that an abrupt exit kills it too. */
export function trackCluster(cluster) {
  clusterToKill = cluster;
}

/** Synchronous last-resort cleanup: SIGKILL every child and the Redis we started, remove its data dir. */
export function killEverything() {
  for (const child of [...live]) child.kill('SIGKILL');
  const cluster = clusterToKill;
  clusterToKill = undefined;
  for (const node of cluster?.processes ?? []) {
    try {
      if (node.child && node.child.exitCode === null) node.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  if (cluster?.dir) rmSync(cluster.dir, { recursive: true, force: true });
  const redis = redisToKill;
  redisToKill = undefined;
  if (redis?.child && redis.child.exitCode === null) {
    try {
      redis.child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  if (redis?.ownsDir) rmSync(redis.dir, { recursive: true, force: true });
}

/**
 * Kills everything on exit, Ctrl-C, SIGTERM and crashes: with `kill`, a bench that keeps its own
 * registry of processes (default: this file's).
 */
export function installCleanup(kill = killEverything) {
  process.on('exit', kill);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: stopping every benchmark process and the private Redis\n`);
      kill();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`bench crashed: ${error.stack ?? error}\n`);
    killEverything();
    process.exit(1);
  });
}

/**
 * Writes a run's `results` to bench/results/`file` and says so with the run's duration.
 * @param {string} file name inside bench/results
 * @param {{ durationSeconds: number }} results
 * @param {(line: string) => void} log
 */
export function writeResults(file, results, log) {
  const outDir = path.join(here, '..', 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, file), `${JSON.stringify(results, null, 2)}\n`);
  log(`\nwrote bench/results/${file} in ${results.durationSeconds.toFixed(0)} s`);
}

/** The machine a bench ran on, as its results file records it. */
export function describeMachine() {
  return {
    cpuModel: os.cpus()[0]?.model,
    cores: os.cpus().length,
    node: process.version,
    loadAverage: os.loadavg(),
    date: new Date().toISOString(),
  };
}

/** Runs a bench's `main`, exiting 0 when it ends; on a failure, reports it and kills what it started. */
export function runBench(name, main) {
  main().then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`${name} failed: ${error.stack ?? error}\n`);
      killEverything();
      process.exit(1);
    },
  );
}

/** Ends a stuck run: after `minutes`, says so, kills what the bench started and exits 1. */
export function startWatchdog(name, minutes) {
  setTimeout(() => {
    process.stderr.write(`${name}: still running after ${minutes} min; giving up\n`);
    killEverything();
    process.exit(1);
  }, minutes * 60_000).unref();
}
