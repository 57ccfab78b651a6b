// One of two service instances is stopped gracefully (SIGTERM: hydra.stop()) under load. It
// deregisters and announces its departure, so callers must stop routing to it at once.
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
  small: { concurrency: 8, ratePerSecond: 100, durationMs: 4000, faultAtMs: 1500 },
  full: { concurrency: 32, ratePerSecond: 400, durationMs: 10_000, faultAtMs: 5000 },
};
const TIMEOUT_MS = 5000;

export const scenario: FaultScenario = {
  name: 'service-stop',
  title: 'Service instance stopped (SIGTERM)',
  async run(size) {
    const s = SIZES[size];
    const redis = await new RedisProcess().start();
    const rig = new ScenarioRig({ url: redis.urlFor(15) });
    try {
      const [leaving] = await rig.startServices(2, { workMs: 20 });
      const client = await rig.startClient(2);
      const load = echoRequests(client, { ...s, timeoutMs: TIMEOUT_MS });
      const running = load.run();
      await sleep(s.faultAtMs);
      const startedAt = Date.now();
      const stopped = leaving!.stop();
      const noticedMs = await msUntil(
        startedAt,
        () => !client.instances.peek(SERVICE)?.some((i) => i.instanceID === leaving!.instanceId),
        15_000,
      );
      await stopped;
      const summary = await running;
      return {
        name: this.name,
        title: this.title,
        setup: `1 of 2 echo service processes (20 ms per request) stopped with SIGTERM; ${loadText(s, TIMEOUT_MS)}`,
        unit: 'requests',
        ...summary,
        recoveryMs: load.recoveryMs({ startedAt, clearedAt: startedAt }),
        recoveredFrom: 'SIGTERM',
        notes: [
          `callers stopped routing to it ${seconds(noticedMs)} after SIGTERM`,
          `slowest request ${seconds(summary.slowestMs)}`,
        ],
        facts: { noticedMs },
      };
    } finally {
      await rig.close();
      await redis.stop();
    }
  },
};
