// Redis is SIGKILLed under request-reply load and started again on the same port a moment later.
import { RedisProcess } from '../../../scripts/lib/redis-process.mjs';
import { echoRequests, loadText, ScenarioRig, seconds, type FaultScenario } from '../lib/scenario.js';
import { sleep } from '../lib/tracked-calls.js';

const SIZES = {
  small: { services: 2, concurrency: 8, ratePerSecond: 100, durationMs: 6000, faultAtMs: 1500, downMs: 1000 },
  full: {
    services: 3,
    concurrency: 32,
    ratePerSecond: 400,
    durationMs: 20_000,
    faultAtMs: 5000,
    downMs: 2000,
  },
};
const TIMEOUT_MS = 5000;

export const scenario: FaultScenario = {
  name: 'redis-restart-requests',
  title: 'Redis restart, request-reply',
  async run(size) {
    const s = SIZES[size];
    // Persistence is what a production Redis has; request-reply does not need it, the registry's keys do.
    const redis = await new RedisProcess({
      persistence: true,
      extraArgs: ['--appendfsync', 'always'],
    }).start();
    const rig = new ScenarioRig({ url: redis.urlFor(15) });
    try {
      await rig.startServices(s.services);
      const client = await rig.startClient(s.services);
      const load = echoRequests(client, { ...s, timeoutMs: TIMEOUT_MS });
      const running = load.run();
      await sleep(s.faultAtMs);
      const startedAt = Date.now();
      await redis.restart({ crash: true, downMs: s.downMs });
      const clearedAt = Date.now();
      const summary = await running;
      return {
        name: this.name,
        title: this.title,
        setup:
          `Redis (AOF, fsync always) SIGKILLed, back ${seconds(clearedAt - startedAt)} later; ` +
          `${s.services} echo services; ${loadText(s, TIMEOUT_MS)}`,
        unit: 'requests',
        ...summary,
        recoveryMs: load.recoveryMs({ startedAt, clearedAt }),
        recoveredFrom: 'Redis back',
        notes: [],
        facts: { outageMs: clearedAt - startedAt },
      };
    } finally {
      await rig.close();
      await redis.stop();
    }
  },
};
