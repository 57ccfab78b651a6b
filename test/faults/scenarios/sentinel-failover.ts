// Through a Sentinel trio (quorum 2): the master is SIGKILLed under request-reply load; the sentinel promotes the
// replica, and services and callers must follow it to the new master.
import { SENTINEL_MASTER, SentinelGroup } from '../../harness/sentinel.js';
import { echoRequests, loadText, ScenarioRig, seconds, type FaultScenario } from '../lib/scenario.js';
import { sleep } from '../lib/tracked-calls.js';

const SIZES = {
  small: { concurrency: 8, ratePerSecond: 100, durationMs: 8000, faultAtMs: 1500 },
  full: { concurrency: 32, ratePerSecond: 400, durationMs: 20_000, faultAtMs: 5000 },
};
const TIMEOUT_MS = 5000;

export const scenario: FaultScenario = {
  name: 'sentinel-failover',
  title: 'Sentinel: master SIGKILLed',
  async run(size) {
    const s = SIZES[size];
    const group = await new SentinelGroup({ sentinels: 3 }).start();
    const rig = new ScenarioRig({
      sentinel: { masterName: SENTINEL_MASTER, sentinels: group.sentinels },
      db: 15,
    });
    try {
      await rig.startServices(2);
      const client = await rig.startClient(2);
      const load = echoRequests(client, { ...s, timeoutMs: TIMEOUT_MS });
      const running = load.run();
      await sleep(s.faultAtMs);
      const oldPort = group.master.port;
      const startedAt = Date.now();
      await group.master.kill();
      await group.waitForNewMaster(oldPort);
      const promotedMs = Date.now() - startedAt;
      const summary = await running;
      return {
        name: this.name,
        title: this.title,
        setup: `master SIGKILLed; 1 replica, 3 sentinels (quorum 2, down after 1 s); 2 echo services; ${loadText(s, TIMEOUT_MS)}`,
        unit: 'requests',
        ...summary,
        recoveryMs: load.recoveryMs({ startedAt, clearedAt: startedAt }),
        recoveredFrom: 'the kill',
        notes: [`the sentinels named the new master ${seconds(promotedMs)} after the kill`],
        facts: { promotedMs },
      };
    } finally {
      await rig.close();
      await group.stop();
    }
  },
};
