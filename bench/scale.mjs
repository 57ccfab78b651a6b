// `npm run bench:scale` (or `node bench/scale.mjs [--quick] [--instances 100,1000,5000]`): presence and
// discovery as the number of instances grows, on one Redis and on a 3-master / 3-replica cluster. The
// instances are real core `Hydra` objects with their own connections, spread over a few child processes
// (bench/lib/scale-host.mjs). For each size: Redis CPU and commands/s of the idle deployment (presence,
// node entries, health), memory per instance, and how soon a sender sees a new instance; at the largest
// size, the cost of one discovery round with 0, 100k and 1M unrelated keys. Prints tables and writes
// bench/results/scale.json. Not part of `npm test`; see bench/README.md.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { hydraNestRedis, sleep } from './lib/common.mjs';
import {
  Child,
  describeMachine,
  installCleanup,
  runBench,
  startWatchdog,
  writeResults,
} from './lib/proc.mjs';
import { deltas, readAll, startTopologies } from './lib/topologies.mjs';
import { printScale } from './lib/scale-report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const HOST = path.join(here, 'lib', 'scale-host.mjs');
const DB = 15;
/** The services the simulated instances belong to (instances are spread evenly over them). */
const SERVICES = ['scale-a', 'scale-b', 'scale-c', 'scale-d'];
/** The service of the instance started to time how soon a sender sees it. */
const NEWCOMER = 'scale-new';
/** Per-command figures the presence and health timers account for. */
const PRESENCE_COMMANDS = ['setex', 'hset', 'expire'];
/** Commands a discovery round sends (nodes hash, presence keys). */
const DISCOVERY_COMMANDS = ['hlen', 'hkeys', 'hmget', 'mget'];

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    instances: { type: 'string' },
    topologies: { type: 'string', default: 'single,cluster' },
    keys: { type: 'string' },
    window: { type: 'string' },
    hosts: { type: 'string', default: '4' },
    kind: { type: 'string', default: 'hydra-nest' },
    replicas: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'usage: node bench/scale.mjs [--quick] [--instances 100,1000,5000] [--topologies single,cluster]\n' +
      '         [--keys 0,100000,1000000] [--window 10] [--hosts 4] [--kind hydra-nest|floor]\n' +
      '         [--replicas 0|1]\n' +
      '  --kind floor: instances of two plain connections writing only presence, entry and health\n' +
      '  --replicas: replicas per cluster master (default 1; 0 leaves the two cores to masters and hosts)\n' +
      '  --window: seconds of the idle measurement at each size; --hosts: child processes for the instances\n' +
      '  --quick:  100 and 500 instances, 0 and 100k keys, 4 s windows\n',
  );
  process.exit(0);
}
const list = (text) => text.split(',').filter(Boolean).map(Number);
const PLAN = {
  sizes: list(args.instances ?? (args.quick ? '100,500' : '100,1000,5000')).sort((a, b) => a - b),
  topologies: args.topologies.split(',').filter(Boolean),
  keys: list(args.keys ?? (args.quick ? '0,100000' : '0,100000,1000000')).sort((a, b) => a - b),
  windowMs: Number(args.window ?? (args.quick ? 4 : 10)) * 1000,
  hosts: Number(args.hosts),
  settleMs: args.quick ? 3000 : 5000,
  seenTimeoutMs: 10_000,
  discoveryRounds: args.quick ? 10 : 20,
  // Longer than the instances' 1 s refresh, so that each of them rewrote its entry between two rounds.
  discoveryPaceMs: 1500,
  kind: args.kind,
  replicasPerMaster: Number(args.replicas),
};
if (!['hydra-nest', 'floor'].includes(PLAN.kind)) throw new Error('--kind: hydra-nest or floor');
if (![0, 1].includes(PLAN.replicasPerMaster)) throw new Error('--replicas: 0 or 1');
const REDIS_ARGS = [
  ...['--maxclients', '19000', '--enable-debug-command', 'local'],
  ...['--client-output-buffer-limit', 'pubsub 256mb 128mb 60'],
];

function log(line = '') {
  process.stdout.write(`${line}\n`);
}

const sum = (values) => values.reduce((a, b) => a + b, 0);

/** Sums per-command calls and µs over the masters' deltas. */
function commandTotals(nodeDeltas) {
  const totals = {};
  for (const node of nodeDeltas.filter((n) => n.role === 'master')) {
    for (const [name, c] of Object.entries(node.commands)) {
      const t = (totals[name] ??= { calls: 0, usec: 0 });
      t.calls += c.calls;
      t.usec += c.usec;
    }
  }
  return totals;
}

/** Resolves once `test()` holds, polling every 2 ms; the ms it took, or undefined after `timeoutMs`. */
async function timeUntil(test, since, timeoutMs) {
  while (performance.now() - since < timeoutMs) {
    if (test()) return performance.now() - since;
    await sleep(2);
  }
  return undefined;
}

/**
 * How soon the sender (watching NEWCOMER) sees a new instance: a hydra-nest one (it announces itself),
 * then one that only writes its presence key and nodes entry every second, as a Hydra 1.x peer does.
 */
async function timeNewcomers(core, cfg, sender) {
  const seen = () => new Set((sender.instances.peek(NEWCOMER) ?? []).map((i) => i.instanceID));
  const newcomer = new core.Hydra({
    serviceName: NEWCOMER,
    redis: hydraNestRedis(cfg, DB),
    logger: core.silentLogger,
  });
  const t0 = performance.now();
  await newcomer.start();
  const startMs = performance.now() - t0;
  const announcedMs = await timeUntil(() => seen().has(newcomer.instanceId), t0, PLAN.seenTimeoutMs);
  await newcomer.stop();
  await timeUntil(() => !seen().has(newcomer.instanceId), performance.now(), PLAN.seenTimeoutMs);

  const { keys, redis } = sender;
  const id = randomBytes(16).toString('hex');
  const entry = { ...newcomer.presence.nodeEntry(), instanceID: id };
  const write = () =>
    Promise.all([
      redis.setex(keys.presence(NEWCOMER, id), 3, id),
      redis.hset(
        keys.nodesOf(NEWCOMER),
        id,
        JSON.stringify({ ...entry, updatedOn: new Date().toISOString() }),
      ),
    ]);
  const t1 = performance.now();
  await write();
  const refresh = setInterval(() => void write().catch(() => undefined), 1000);
  const unannouncedMs = await timeUntil(() => seen().has(id), t1, PLAN.seenTimeoutMs);
  clearInterval(refresh);
  await Promise.all([redis.del(keys.presence(NEWCOMER, id)), redis.hdel(keys.nodesOf(NEWCOMER), id)]);
  return { startMs, announcedMs, unannouncedMs };
}

/** Grows the deployment to `size` instances, spread evenly over the hosts. */
async function growTo(hosts, cfg, running, size) {
  const more = size - running;
  const share = (i) => Math.floor(more / hosts.length) + (i < more % hosts.length ? 1 : 0);
  let first = running;
  const calls = hosts.map((host, i) => {
    const count = share(i);
    const call = host.call('grow', { cfg, count, first, services: SERVICES, kind: PLAN.kind }, 600_000);
    first += count;
    return call;
  });
  const results = await Promise.all(calls);
  const failures = sum(results.map((r) => r.failures));
  const retried = sum(results.map((r) => r.retried));
  const hangs = sum(results.map((r) => r.hangs));
  const firstError = results.find((r) => r.firstError)?.firstError;
  if (retried > 0 || failures > 0) {
    log(
      `    ${retried} starts tried again (${hangs} of them hung), ${failures} instances not started; first error: ${firstError}`,
    );
  }
  return { failures, retried, hangs, ms: Math.max(...results.map((r) => r.ms)) };
}

/** The idle deployment over one window: CPU, commands, memory and clients per node. */
async function measureIdle(topology, baseline, size) {
  const before = await readAll(topology);
  await sleep(PLAN.windowMs);
  const after = await readAll(topology);
  const nodeDeltas = deltas(topology, before, after);
  const masters = nodeDeltas.filter((n) => n.role === 'master');
  const seconds = PLAN.windowMs / 1000;
  const commands = commandTotals(nodeDeltas);
  const presence = PRESENCE_COMMANDS.map((name) => commands[name] ?? { calls: 0, usec: 0 });
  const memoryNow = sum(after.filter((_, i) => topology.nodes[i].role === 'master').map((r) => r.usedMemory));
  return {
    redisCorePct: sum(masters.map((n) => n.corePct)),
    busiestMasterCorePct: Math.max(...masters.map((n) => n.corePct)),
    replicasCorePct: sum(nodeDeltas.filter((n) => n.role !== 'master').map((n) => n.corePct)),
    commandsPerSecond: sum(Object.values(commands).map((c) => c.calls)) / seconds,
    readsPerSecond: sum(masters.map((n) => n.reads)) / seconds,
    presenceHealthPerSecond: sum(presence.map((c) => c.calls)) / seconds,
    // 1.0 when every instance (and the sender) rewrote its nodes entry each second, as it should.
    nodesWritesPerInstance: (commands.hset?.calls ?? 0) / seconds / (size + 1),
    presenceHealthUsecPerSecond: sum(presence.map((c) => c.usec)) / seconds,
    perCommandPerSecond: Object.fromEntries(Object.entries(commands).map(([n, c]) => [n, c.calls / seconds])),
    memoryPerInstanceBytes: (memoryNow - baseline) / size,
    clients: sum(after.map((r) => r.clients)),
    perMaster: masters.map((n) => ({ port: n.port, corePct: n.corePct, calls: n.calls })),
  };
}

/** Fills the topology with unrelated keys up to `keys` in all (DEBUG POPULATE, spread over the masters). */
async function populate(topology, keys) {
  const share = Math.ceil(keys / topology.masters.length);
  await Promise.all(
    topology.masters.map(async (master) => {
      const client = new Redis({ port: master.port, db: topology.name === 'single' ? DB : 0 });
      try {
        await client.call('DEBUG', 'POPULATE', String(share), `unrelated-${master.port}`, '16');
      } finally {
        client.disconnect();
      }
    }),
  );
}

/**
 * The cost of discovery rounds for one service of the deployment: warm (the instance cache's periodic
 * lookup, every `discoveryPaceMs` as the cache does it every 3 s: the nodes directory is known, and the
 * instances rewrote their entries since the last round) and cold (a process's first lookup). Commands and
 * Redis µs per round from INFO commandstats read just before and after each round, so that the idle
 * instances' own commands between rounds are left out.
 */
async function discoveryRounds(core, topology, sender, running) {
  const measure = async (round, paceMs) => {
    const calls = [];
    const usec = [];
    for (let i = 0; i < PLAN.discoveryRounds; i++) {
      if (paceMs) await sleep(paceMs);
      const before = await readAll(topology);
      await round();
      const commands = commandTotals(deltas(topology, before, await readAll(topology)));
      calls.push(sum(DISCOVERY_COMMANDS.map((name) => commands[name]?.calls ?? 0)));
      usec.push(sum(DISCOVERY_COMMANDS.map((name) => commands[name]?.usec ?? 0)));
    }
    // The median: a round during which the busy machine took Redis off the CPU mid-command (its µs
    // count wall time) would otherwise move the mean by more than the keyspace does.
    const sorted = [...usec].sort((a, b) => a - b);
    return {
      commandsPerRound: sum(calls) / calls.length,
      usecPerRound: sorted[Math.floor(sorted.length / 2)],
      usecMeanPerRound: sum(usec) / usec.length,
      usecRange: [sorted[0], sorted[sorted.length - 1]],
    };
  };
  const ctx = {
    redis: sender.redis,
    keys: sender.keys,
    identity: sender.identity,
    logger: core.silentLogger,
  };
  const found = (await sender.discovery.instancesOf([SERVICES[0]])).get(SERVICES[0]).length;
  return {
    instancesFound: found,
    instancesExpected: Math.ceil(running / SERVICES.length),
    warm: await measure(() => sender.discovery.instancesOf([SERVICES[0]]), PLAN.discoveryPaceMs),
    cold: await measure(() => new core.Discovery(ctx).instancesOf([SERVICES[0]]), 0),
  };
}

async function runTopology(core, name) {
  const replicas = PLAN.replicasPerMaster ? '3 replicas' : 'no replica';
  log(`\n== ${name === 'single' ? 'one Redis' : `Redis Cluster, 3 masters, ${replicas}`}`);
  const [topology] = await startTopologies([name], REDIS_ARGS, { replicasPerMaster: PLAN.replicasPerMaster });
  const hosts = [];
  let sender;
  const result = { topology: name, sizes: [], discovery: [] };
  try {
    for (let i = 0; i < PLAN.hosts; i++) {
      hosts.push(await Child.start(`scale/${name}/${i}`, 'host', '', { entry: HOST }));
    }
    sender = new core.Hydra({
      serviceName: 'scale-sender',
      redis: hydraNestRedis(topology.cfg, DB),
      logger: core.silentLogger,
    });
    await sender.start();
    await sender.instances.watch(NEWCOMER);
    await sleep(2000);
    const baseline = sum(
      (await readAll(topology))
        .filter((_, i) => topology.nodes[i].role === 'master')
        .map((r) => r.usedMemory),
    );
    let running = 0;
    for (const size of PLAN.sizes) {
      const grown = await growTo(hosts, topology.cfg, running, size);
      running = size;
      log(
        `  ${size} instances up in ${(grown.ms / 1000).toFixed(1)} s; measuring ${PLAN.windowMs / 1000} s idle`,
      );
      await sleep(PLAN.settleMs);
      const idle = await measureIdle(topology, baseline, size);
      const seen = await timeNewcomers(core, topology.cfg, sender);
      const hostsRss = sum(await Promise.all(hosts.map(async (h) => (await h.call('cpu')).rss)));
      result.sizes.push({
        instances: size,
        startSeconds: grown.ms / 1000,
        failures: grown.failures,
        retried: grown.retried,
        hangs: grown.hangs,
        ...idle,
        seen,
        hostsRssMB: hostsRss / 2 ** 20,
      });
    }
    for (const keys of PLAN.keys) {
      await populate(topology, keys);
      await sleep(PLAN.settleMs); // Redis finishes resizing its key table before the rounds
      const rounds = await discoveryRounds(core, topology, sender, running);
      result.discovery.push({ instances: running, keys, ...rounds });
      log(
        `  discovery at ${keys} unrelated keys: ${rounds.warm.usecPerRound.toFixed(0)} µs warm, ${rounds.cold.usecPerRound.toFixed(0)} µs cold`,
      );
    }
  } finally {
    await sender?.stop().catch(() => undefined);
    await Promise.all(hosts.map((h) => h.call('stopAll', {}, 120_000).catch(() => undefined)));
    await Promise.all(hosts.map((h) => h.stop()));
    await topology.stop();
  }
  return result;
}

async function main() {
  installCleanup();
  startWatchdog('bench:scale', args.quick ? 6 : 20);
  const started = performance.now();
  const core = await import('@hydra-nest/core');
  log(
    `presence and discovery as ${PLAN.kind} instances grow: ${PLAN.sizes.join(', ')}; load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const results = { plan: PLAN, topologies: [] };
  for (const name of PLAN.topologies) results.topologies.push(await runTopology(core, name));
  results.machine = describeMachine();
  results.durationSeconds = (performance.now() - started) / 1000;
  printScale(results, log);
  writeResults(resultsFile(), results, log);
}

/** Where a run's figures go: one file per kind of run, so that one run does not overwrite another's. */
function resultsFile() {
  if (PLAN.kind === 'floor') return 'scale-floor.json';
  if (PLAN.topologies.join() !== 'cluster') return 'scale.json';
  return PLAN.replicasPerMaster ? 'scale-cluster.json' : 'scale-cluster-no-replicas.json';
}

runBench('bench:scale', main);
