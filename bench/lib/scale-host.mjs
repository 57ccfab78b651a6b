// A child process of bench/scale.mjs that hosts many simulated service instances: each a real core
// `Hydra` with its own connections (command and subscriber; on a cluster, ioredis' per-master ones), its
// presence, node entry and health timers, as a deployed instance has. Same IPC protocol as child.mjs
// ({ id, cmd, args } -> { id, ok, result }), so bench/lib/proc.mjs's `Child` drives it. With
// `kind: 'floor'` the instances are the bare minimum a Hydra-compatible instance sends (floor-instance.mjs).
import { performance } from 'node:perf_hooks';
import { errorText, hydraNestRedis } from './common.mjs';
import { FloorInstance } from './floor-instance.mjs';

/** Hydra's default db on one server (a cluster has only db 0). */
const DB = 15;
/**
 * Instances started at once while growing: enough to overlap round trips, few enough not to time out
 * (on a cluster each start opens about ten connections and reads the slot map).
 */
const PARALLEL_STARTS = { single: 25, cluster: 4 };
/** Tries per instance: a start that timed out on a busy machine is tried again, as a deployment would. */
const START_ATTEMPTS = 3;
/** A start still pending after this is abandoned (stopped) and tried again, ms. */
const START_TIMEOUT_MS = 30_000;

let core;
const instances = [];

function send(message) {
  if (process.connected) process.send(message);
}

process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`[scale-host] unhandled rejection: ${errorText(reason)}\n`);
});

function newInstance(cfg, serviceName, index, kind) {
  if (kind === 'floor') return new FloorInstance(cfg, serviceName, index, DB);
  return new core.Hydra({
    serviceName,
    serviceIP: '127.0.0.1',
    servicePort: 10_000 + index,
    redis: hydraNestRedis(cfg, DB),
    logger: core.silentLogger,
  });
}

const handlers = {
  /**
   * Starts `count` more instances, the i-th of service `services[(first + i) % services.length]`,
   * `PARALLEL_STARTS` at a time. Resolves how many run, how long it took, how many starts were tried
   * again, failed for good, or hung (still pending after START_TIMEOUT_MS), and the first error.
   */
  async grow({ cfg, count, first, services, kind }) {
    const started = performance.now();
    let next = 0;
    let failures = 0;
    let retried = 0;
    let hangs = 0;
    let firstError;
    const startOne = async (index) => {
      for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
        const hydra = newInstance(cfg, services[index % services.length], index, kind);
        let timer;
        const hung = new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`start() still pending after ${START_TIMEOUT_MS} ms`)),
            START_TIMEOUT_MS,
          );
        });
        try {
          await Promise.race([hydra.start(), hung]);
          instances.push(hydra);
          return;
        } catch (error) {
          hung.catch(() => undefined);
          void hydra.stop().catch(() => undefined);
          if (/still pending/.test(error.message)) hangs++;
          firstError ??= error.message;
          if (attempt === START_ATTEMPTS) failures++;
          else retried++;
        } finally {
          clearTimeout(timer);
        }
      }
    };
    const lane = async () => {
      while (next < count) await startOne(first + next++);
    };
    const parallel = PARALLEL_STARTS[cfg.clusterNodes ? 'cluster' : 'single'];
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, lane));
    return {
      running: instances.length,
      ms: performance.now() - started,
      failures,
      retried,
      hangs,
      firstError,
    };
  },
  /** Stops every instance (deregistering each), 25 at a time. */
  async stopAll() {
    const all = instances.splice(0);
    for (let i = 0; i < all.length; i += 25) {
      await Promise.allSettled(all.slice(i, i + 25).map((hydra) => hydra.stop()));
    }
    return { stopped: all.length };
  },
  /** CPU time this process has used, ms (for the CPU meter), and its memory. */
  cpu() {
    const usage = process.cpuUsage();
    return { ms: (usage.user + usage.system) / 1000, rss: process.memoryUsage().rss };
  },
};

process.on('message', async (message) => {
  if (!message || typeof message.id !== 'number') return;
  const { id, cmd, args } = message;
  const fn = handlers[cmd];
  if (!fn) {
    send({ id, ok: false, error: `scale-host has no command ${cmd}` });
    return;
  }
  try {
    send({ id, ok: true, result: await fn(args ?? {}) });
  } catch (error) {
    send({ id, ok: false, error: errorText(error) });
  }
});

try {
  core = await import('@hydra-nest/core');
  send({ type: 'loaded' });
} catch (error) {
  send({ type: 'load-error', error: errorText(error) });
  setTimeout(() => process.exit(0), 50);
}
