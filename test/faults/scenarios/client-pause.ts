// CLIENT PAUSE ALL as a network stall: Redis answers no client for a while, then carries on. Requests
// must complete after the pause, or fail at their deadline with a timeout; none may hang.
import { Redis } from 'ioredis';
import { RedisProcess } from '../../../scripts/lib/redis-process.mjs';
import { echoRequests, loadText, ScenarioRig, seconds, type FaultScenario } from '../lib/scenario.js';
import { sleep } from '../lib/tracked-calls.js';

const SIZES = {
  small: { concurrency: 8, ratePerSecond: 100, durationMs: 5000, faultAtMs: 1500, pauseMs: 2000 },
  // Longer than the deadline: the requests made early in the pause time out.
  full: { concurrency: 32, ratePerSecond: 400, durationMs: 15_000, faultAtMs: 5000, pauseMs: 6000 },
};
const TIMEOUT_MS = 5000;

export const scenario: FaultScenario = {
  name: 'client-pause',
  title: 'Network stall (CLIENT PAUSE)',
  async run(size) {
    const s = SIZES[size];
    const redis = await new RedisProcess().start();
    const admin = new Redis(redis.urlFor(15));
    const rig = new ScenarioRig({ url: redis.urlFor(15) });
    try {
      await rig.startServices(2);
      const client = await rig.startClient(2);
      const load = echoRequests(client, { ...s, timeoutMs: TIMEOUT_MS });
      const running = load.run();
      await sleep(s.faultAtMs);
      const startedAt = Date.now();
      await admin.client('PAUSE', s.pauseMs, 'ALL');
      const clearedAt = startedAt + s.pauseMs;
      const summary = await running;
      return {
        name: this.name,
        title: this.title,
        setup: `CLIENT PAUSE ${seconds(s.pauseMs)} ALL; 2 echo services; ${loadText(s, TIMEOUT_MS)}`,
        unit: 'requests',
        ...summary,
        recoveryMs: load.recoveryMs({ startedAt, clearedAt }),
        recoveredFrom: 'the pause',
        notes: [`slowest request ${seconds(summary.slowestMs)}`],
        facts: { pauseMs: s.pauseMs },
      };
    } finally {
      admin.disconnect();
      await rig.close();
      await redis.stop();
    }
  },
};
