// One of two service instances leaves under load, either way it can:
// - SIGKILLed: no deregistration, no goodbye. Callers must stop routing to it within the presence TTL
//   (3 s) plus one presence check of their instance cache; PUBLISHes that reach nobody tell them sooner.
// - stopped gracefully (SIGTERM: hydra.stop()): it deregisters and announces its departure, so callers
//   must stop routing to it at once.
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

const TIMEOUT_MS = 5000;

type Leaving = 'kill' | 'stop';

const WAYS = {
  kill: {
    name: 'service-kill',
    title: 'Service instance SIGKILLed',
    fault: 'SIGKILLed',
    recoveredFrom: 'the kill',
    sizes: {
      small: { concurrency: 8, ratePerSecond: 100, durationMs: 7000, faultAtMs: 1500 },
      full: { concurrency: 32, ratePerSecond: 400, durationMs: 15_000, faultAtMs: 5000 },
    },
  },
  stop: {
    name: 'service-stop',
    title: 'Service instance stopped (SIGTERM)',
    fault: 'stopped with SIGTERM',
    recoveredFrom: 'SIGTERM',
    sizes: {
      small: { concurrency: 8, ratePerSecond: 100, durationMs: 4000, faultAtMs: 1500 },
      full: { concurrency: 32, ratePerSecond: 400, durationMs: 10_000, faultAtMs: 5000 },
    },
  },
} as const;

/** The scenario of an instance leaving under load by `way`. */
export function serviceLeaves(way: Leaving): FaultScenario {
  const { name, title, fault, recoveredFrom, sizes } = WAYS[way];
  return {
    name,
    title,
    async run(size) {
      const s = sizes[size];
      const redis = await new RedisProcess().start();
      const rig = new ScenarioRig({ url: redis.urlFor(15) });
      try {
        const [leaving] = await rig.startServices(2, { workMs: 20 });
        const client = await rig.startClient(2);
        const load = echoRequests(client, { ...s, timeoutMs: TIMEOUT_MS });
        const running = load.run();
        await sleep(s.faultAtMs);
        const startedAt = Date.now();
        const gone = way === 'kill' ? leaving!.kill() : leaving!.stop();
        if (way === 'kill') await gone; // over at once; a stop is watched while it deregisters
        const routedAwayMs = await msUntil(
          startedAt,
          () => !client.instances.peek(SERVICE)?.some((i) => i.instanceID === leaving!.instanceId),
          15_000,
        );
        await gone;
        const summary = await running;
        return {
          name,
          title,
          setup: `1 of 2 echo service processes (20 ms per request) ${fault}; ${loadText(s, TIMEOUT_MS)}`,
          unit: 'requests',
          ...summary,
          recoveryMs: load.recoveryMs({ startedAt, clearedAt: startedAt }),
          recoveredFrom,
          notes:
            way === 'kill'
              ? [
                  `callers stopped routing to it ${seconds(routedAwayMs)} after the kill (presence TTL 3 s)`,
                  `${load.slowerThan(1000)} requests it had in flight were answered by the other instance once it was dropped (slowest ${seconds(summary.slowestMs)})`,
                ]
              : [
                  `callers stopped routing to it ${seconds(routedAwayMs)} after SIGTERM`,
                  `slowest request ${seconds(summary.slowestMs)}`,
                ],
          facts: { routedAwayMs },
        };
      } finally {
        await rig.close();
        await redis.stop();
      }
    },
  };
}
