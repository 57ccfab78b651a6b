// One of two service instances is SIGKILLed under load: no deregistration, no goodbye. Callers must
// stop routing to it within the presence TTL (3 s) plus one presence check of their instance cache.
import { RedisProcess } from '../../../scripts/lib/redis-process.mjs';
import {
  echoRequests,
  loadText,
  msUntil,
  ScenarioRig,
  seconds,
  SERVICE,
  type FaultScenario,
} from '../lib/scenario.js';
import { sleep } from '../lib/tracked-calls.js';

const SIZES = {
  small: { concurrency: 8, ratePerSecond: 100, durationMs: 7000, faultAtMs: 1500 },
  full: { concurrency: 32, ratePerSecond: 400, durationMs: 15_000, faultAtMs: 5000 },
};
const TIMEOUT_MS = 5000;

export const scenario: FaultScenario = {
  name: 'service-kill',
  title: 'Service instance SIGKILLed',
  async run(size) {
    const s = SIZES[size];
    const redis = await new RedisProcess().start();
    const rig = new ScenarioRig({ url: redis.urlFor(15) });
    try {
      const [victim] = await rig.startServices(2, { workMs: 20 });
      const client = await rig.startClient(2);
      const load = echoRequests(client, { ...s, timeoutMs: TIMEOUT_MS });
      const running = load.run();
      await sleep(s.faultAtMs);
      const startedAt = Date.now();
      await victim!.kill();
      const routedAwayMs = await msUntil(
        startedAt,
        () => !client.instances.peek(SERVICE)?.some((i) => i.instanceID === victim!.instanceId),
        15_000,
      );
      const summary = await running;
      return {
        name: this.name,
        title: this.title,
        setup: `1 of 2 echo service processes (20 ms per request) SIGKILLed; ${loadText(s, TIMEOUT_MS)}`,
        unit: 'requests',
        ...summary,
        recoveryMs: load.recoveryMs({ startedAt, clearedAt: startedAt }),
        recoveredFrom: 'the kill',
        notes: [
          `callers stopped routing to it ${seconds(routedAwayMs)} after the kill (presence TTL 3 s)`,
          `${load.slowerThan(1000)} requests it had in flight were answered by the other instance once it was dropped (slowest ${seconds(summary.slowestMs)})`,
        ],
        facts: { routedAwayMs },
      };
    } finally {
      await rig.close();
      await redis.stop();
    }
  },
};
