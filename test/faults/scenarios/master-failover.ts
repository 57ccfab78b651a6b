// The master is SIGKILLed under request-reply load and a replica is promoted; services and callers must
// follow it. Either topology that has replicas:
// - through a Sentinel trio (quorum 2): the sentinels promote the replica, clients ask them where it is;
// - on a Redis Cluster (3 masters, 3 replicas): the master that owns the echo service's slot dies, its
//   replica takes the slot over, and the sharded subscriptions and the callers' connections follow.
import { RedisCluster } from '../../../scripts/lib/redis-cluster.mjs';
import { SENTINEL_MASTER, SentinelGroup } from '../../harness/sentinel.js';
import {
  echoRequests,
  loadText,
  ScenarioRig,
  seconds,
  SERVICE,
  type FaultScenario,
} from '../lib/scenario.js';
import { sleep } from '../lib/tracked-calls.js';
import type { RedisConnectionOptions } from '@hydra-nest/core';

const SIZES = {
  small: { concurrency: 8, ratePerSecond: 100, durationMs: 8000, faultAtMs: 1500 },
  full: { concurrency: 32, ratePerSecond: 400, durationMs: 20_000, faultAtMs: 5000 },
};
const TIMEOUT_MS = 5000;

/** A deployment with a master to kill: how to reach it, how to kill it, and how to stop it. */
interface Deployment {
  redis: RedisConnectionOptions;
  setup: string;
  /** Kills the master and resolves once a replica took over: ms from the kill, and what said so. */
  killMaster(): Promise<{ ms: number; note: string }>;
  stop(): Promise<void>;
}

async function sentinelTrio(): Promise<Deployment> {
  const group = await new SentinelGroup({ sentinels: 3 }).start();
  return {
    redis: { sentinel: { masterName: SENTINEL_MASTER, sentinels: group.sentinels }, db: 15 },
    setup: 'master SIGKILLed; 1 replica, 3 sentinels (quorum 2, down after 1 s)',
    async killMaster() {
      const oldPort = group.master.port;
      const startedAt = Date.now();
      await group.master.kill();
      await group.waitForNewMaster(oldPort);
      const ms = Date.now() - startedAt;
      return { ms, note: `the sentinels named the new master ${seconds(ms)} after the kill` };
    },
    stop: () => group.stop(),
  };
}

async function cluster(): Promise<Deployment> {
  const nodes = await new RedisCluster().start();
  return {
    redis: { cluster: { nodes: nodes.nodes } },
    setup: "the master of the service's slot SIGKILLed; 3 masters, 3 replicas (node timeout 1 s)",
    async killMaster() {
      const master = await nodes.masterOf(`{${SERVICE}}`);
      await nodes.kill(master.port);
      const { ms } = await nodes.waitForFailover(master.port, { timeoutMs: 30_000 });
      return { ms, note: `its replica served the slot ${seconds(ms)} after the kill` };
    },
    stop: () => nodes.stop(),
  };
}

const TOPOLOGIES = {
  sentinel: { name: 'sentinel-failover', title: 'Sentinel: master SIGKILLed', deploy: sentinelTrio },
  cluster: { name: 'cluster-failover', title: 'Cluster: master SIGKILLed', deploy: cluster },
} as const;

/** The scenario of a master failing over on `topology`. */
export function masterFailover(topology: keyof typeof TOPOLOGIES): FaultScenario {
  const { name, title, deploy } = TOPOLOGIES[topology];
  return {
    name,
    title,
    async run(size) {
      const s = SIZES[size];
      const deployment = await deploy();
      const rig = new ScenarioRig(deployment.redis);
      try {
        await rig.startServices(2);
        const client = await rig.startClient(2);
        const load = echoRequests(client, { ...s, timeoutMs: TIMEOUT_MS });
        const running = load.run();
        await sleep(s.faultAtMs);
        const startedAt = Date.now();
        const promoted = await deployment.killMaster();
        const summary = await running;
        return {
          name,
          title,
          setup: `${deployment.setup}; 2 echo services; ${loadText(s, TIMEOUT_MS)}`,
          unit: 'requests',
          ...summary,
          recoveryMs: load.recoveryMs({ startedAt, clearedAt: startedAt }),
          recoveredFrom: 'the kill',
          notes: [promoted.note],
          facts: { promotedMs: promoted.ms },
        };
      } finally {
        await rig.close();
        await deployment.stop();
      }
    },
  };
}
