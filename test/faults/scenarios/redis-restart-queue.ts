// Redis is SIGKILLed while jobs are queued and consumed, and started again on the same port a moment
// later. With the append-only file fsynced at every write, every job Redis accepted survives.
import { Redis } from 'ioredis';
import { WorkQueue } from '@hydra-nest/core';
import { RedisProcess } from '../../../scripts/lib/redis-process.mjs';
import { accountJobs } from '../lib/job-accounting.js';
import { firstCompletionAfter, ScenarioRig, seconds, SERVICE, type FaultScenario } from '../lib/scenario.js';
import { sleep, TrackedCalls } from '../lib/tracked-calls.js';

const SIZES = {
  small: { workers: 2, jobs: 600, ratePerSecond: 150, faultAtMs: 1500, downMs: 1000, drainMs: 20_000 },
  full: { workers: 3, jobs: 6000, ratePerSecond: 400, faultAtMs: 5000, downMs: 2000, drainMs: 60_000 },
};
/** A queueMessage still pending this long is hung (the command connection fails fast while Redis is away). */
const QUEUE_DEADLINE_MS = 5000;
const LEASE_MS = 2000;
const PROCESSED_KEY = 'faults:processed';

export const scenario: FaultScenario = {
  name: 'redis-restart-queue',
  title: 'Redis restart, work queue',
  async run(size) {
    const s = SIZES[size];
    const redis = await new RedisProcess({
      persistence: true,
      extraArgs: ['--appendfsync', 'always'],
    }).start();
    const rig = new ScenarioRig({ url: redis.urlFor(15) });
    const admin = new Redis(redis.urlFor(15), { maxRetriesPerRequest: null });
    admin.on('error', () => undefined);
    try {
      const workers = await rig.startServices(s.workers, {
        queue: { processedKey: PROCESSED_KEY, concurrency: 8, leaseMs: LEASE_MS },
      });
      const producer = await rig.startClient(s.workers);
      const queue = new WorkQueue(producer);
      const accepted = new Set<string>();
      const durationMs = (s.jobs / s.ratePerSecond) * 1000;
      const load = new TrackedCalls(
        { concurrency: 8, ratePerSecond: s.ratePerSecond, durationMs, deadlineMs: QUEUE_DEADLINE_MS },
        async (n) => {
          const id = `job-${n}`;
          await queue.queueMessage({ to: `${SERVICE}:/`, frm: 'fault-load-client:/', bdy: { id } });
          accepted.add(id);
          return true;
        },
      );
      const running = load.run();
      await sleep(s.faultAtMs);
      const startedAt = Date.now();
      await redis.restart({ crash: true, downMs: s.downMs });
      const clearedAt = Date.now();
      const queued = await running;
      const account = await accountJobs(admin, PROCESSED_KEY, accepted, s.drainMs);
      const firstAfter = firstCompletionAfter(workers, clearedAt);
      const failedToQueue = queued.sent - accepted.size;
      return {
        name: this.name,
        title: this.title,
        setup:
          `Redis (AOF, fsync always) SIGKILLed, back ${seconds(clearedAt - startedAt)} later; ` +
          `${s.jobs} jobs queued at ${s.ratePerSecond}/s, ${s.workers} worker processes (8 at once, lease ${LEASE_MS / 1000} s)`,
        unit: 'jobs',
        sent: queued.sent,
        completed: account.completed - account.doneDespiteFailure,
        failed: queued.failed,
        failureMessages: queued.failureMessages,
        untyped: queued.untyped,
        hung: queued.hung,
        wrong: queued.wrong,
        slowestMs: queued.slowestMs,
        jobsLost: account.lost,
        duplicates: account.duplicates,
        recoveryMs: firstAfter && firstAfter.at - clearedAt,
        recoveredFrom: 'Redis back (first job done)',
        notes: [
          `${failedToQueue} queueMessage calls failed while Redis was down` +
            (account.doneDespiteFailure
              ? `, ${account.doneDespiteFailure} of them were queued all the same`
              : ''),
        ],
        facts: { ...account, failedToQueue, outageMs: clearedAt - startedAt },
      };
    } finally {
      admin.disconnect();
      await rig.close();
      await redis.stop();
    }
  },
};
