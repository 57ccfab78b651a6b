import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { RedisConnectionOptions } from '../../packages/core/src/connection.js';
import { useTopology } from '../harness/topology.js';
import { eventually, sleep } from '../harness/wait.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKER = 'test/crash/queue-crash-worker.ts';
const TOTAL = 5000;
const WORK_MS = 25;

/** Starts one worker process on `redis` (a Hydra `redis` option) and resolves once it consumes. */
function startWorker(
  redis: RedisConnectionOptions,
  service: string,
  processedKey: string,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      './test/crash/register-ts.mjs',
      WORKER,
      JSON.stringify(redis),
      service,
      processedKey,
      String(WORK_MS),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr!.on('data', (chunk: Buffer) => {
    if (process.env.CRASH_TEST_VERBOSE) process.stderr.write(chunk);
  });
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`crash-test worker exited early (code ${code})`));
    child.once('exit', onExit);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        child.off('exit', onExit);
        resolve(child);
      }
    });
  });
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

describe('work queue under crashes', () => {
  const topology = useTopology({ persistence: true });
  const { keys } = topology;
  const workers: ChildProcess[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((w) => kill(w, 'SIGKILL')));
  });

  it('processes 5,000 messages at least once and loses none while a worker is SIGKILLed repeatedly and Redis restarts', async () => {
    const options = topology.redis;
    const service = 'crash-svc';
    const processedKey = 'crash-test:processed';
    const redis = topology.client({ maxRetriesPerRequest: null });
    const received = keys.queueReceived(service);
    for (let i = 0; i < TOTAL; i += 500) {
      const batch = [];
      for (let n = i; n < i + 500; n++) {
        batch.push(
          JSON.stringify({
            to: `${service}:/`,
            frm: 'crash-test:/',
            mid: `m-${n}`,
            ts: new Date().toISOString(),
            ver: 'UMF/1.4.6',
            bdy: { n },
          }),
        );
      }
      await redis.lpush(received, ...batch);
    }

    const started = Date.now();
    workers.push(...(await Promise.all([0, 1, 2].map(() => startWorker(options, service, processedKey)))));
    let kills = 0;
    let restartedRedisAt = 0;
    const progress = () => redis.hlen(processedKey);

    // Chaos until the queue is drained: SIGKILL worker 0 every ~700 ms (restarting it at once), and
    // restart Redis once (on a cluster, the master of the queue's slot), when about a third are done.
    while ((await progress()) < TOTAL && Date.now() - started < 45_000) {
      await sleep(700);
      if (!restartedRedisAt && (await progress()) > TOTAL / 3) {
        await topology.restartServerOf(received, { downMs: 500 });
        restartedRedisAt = Date.now() - started;
        continue;
      }
      if ((await progress()) < TOTAL * 0.9) {
        await kill(workers[0], 'SIGKILL');
        kills++;
        workers[0] = await startWorker(options, service, processedKey);
      }
    }

    await eventually(
      async () => {
        const [r, p, d, l] = await Promise.all([
          redis.llen(received),
          redis.llen(keys.queueInProgress(service)),
          redis.zcard(keys.queueDelayed(service)),
          redis.zcard(keys.queueLeases(service)),
        ]);
        return r + p + d + l === 0;
      },
      { timeoutMs: 15_000, what: 'received, in-progress, delayed and leases all empty' },
    );
    const elapsed = Date.now() - started;
    const counts = (await redis.hvals(processedKey)).map(Number);
    const deliveries = counts.reduce((a, b) => a + b, 0);
    const twice = counts.filter((c) => c > 1).length;
    const redelivered = Number(await redis.get(`${processedKey}:redelivered`));
    console.log(
      `[queue crash test, ${topology.name}] ${TOTAL} messages, 3 workers, ${kills} SIGKILLs, Redis restarted at ${restartedRedisAt} ms: ` +
        `all processed in ${elapsed} ms; ${deliveries} deliveries, ${twice} messages processed more than once ` +
        `(${deliveries - TOTAL} extra deliveries); ${redelivered} deliveries were redeliveries (attempt > 1)`,
    );

    expect(counts).toHaveLength(TOTAL);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    expect(await redis.llen(keys.queueIncomplete(service))).toBe(0);
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(redelivered).toBeGreaterThan(0); // the recovery path did run
    expect(restartedRedisAt).toBeGreaterThan(0);
    await Promise.all(workers.map((w) => kill(w, 'SIGTERM')));
    redis.disconnect();
  }, 90_000);
});
