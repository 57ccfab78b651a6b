// On a Redis Cluster (3 masters, 3 replicas): the master that owns the echo service's slot is SIGKILLed
// under request-reply load; its replica takes over, and the services' sharded subscriptions, presence and
// the callers' connections must follow.
import { RedisCluster } from '../../../scripts/lib/redis-cluster.mjs';
import {
  echoRequests,
  loadText,
  ScenarioRig,
  seconds,
  SERVICE,
  type FaultScenario,
} from '../lib/scenario.js';
import { sleep } from '../lib/tracked-calls.js';

const SIZES = {
  small: { concurrency: 8, ratePerSecond: 100, durationMs: 8000, faultAtMs: 1500 },
  full: { concurrency: 32, ratePerSecond: 400, durationMs: 20_000, faultAtMs: 5000 },
};
const TIMEOUT_MS = 5000;

export const scenario: FaultScenario = {
  name: 'cluster-failover',
  title: 'Cluster: master SIGKILLed',
  async run(size) {
    const s = SIZES[size];
    const cluster = await new RedisCluster().start();
    const rig = new ScenarioRig({ cluster: { nodes: cluster.nodes } });
    try {
      await rig.startServices(2);
      const client = await rig.startClient(2);
      const load = echoRequests(client, { ...s, timeoutMs: TIMEOUT_MS });
      const running = load.run();
      await sleep(s.faultAtMs);
      const master = await cluster.masterOf(`{${SERVICE}}`);
      const startedAt = Date.now();
      await cluster.kill(master.port);
      const failover = await cluster.waitForFailover(master.port, { timeoutMs: 30_000 });
      const summary = await running;
      return {
        name: this.name,
        title: this.title,
        setup:
          `the master of the service's slot SIGKILLed; 3 masters, 3 replicas (node timeout 1 s); ` +
          `2 echo services; ${loadText(s, TIMEOUT_MS)}`,
        unit: 'requests',
        ...summary,
        recoveryMs: load.recoveryMs({ startedAt, clearedAt: startedAt }),
        recoveredFrom: 'the kill',
        notes: [`its replica served the slot ${seconds(failover.ms)} after the kill`],
        facts: { promotedMs: failover.ms },
      };
    } finally {
      await rig.close();
      await cluster.stop();
    }
  },
};
