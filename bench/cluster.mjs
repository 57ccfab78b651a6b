// `npm run bench:cluster` (or `node bench/cluster.mjs [--quick] [--replicas 0]`): hydra-nest on one Redis
// and on a private 3-master Redis Cluster (one replica per master, or none), side by side in one run: request-reply (~100 B, concurrency
// 64 and 256) and queue drain (concurrency 50), with each master's share of the work (INFO commandstats
// and cpu deltas) and a projection of N masters on N machines. Prints a table and writes
// bench/results/cluster.json. Not part of `npm test`; see bench/README.md.
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { sleep } from './lib/common.mjs';
import { FOREIGN_LIMIT, startCpuMeter } from './lib/interference.mjs';
import {
  Child,
  describeMachine,
  installCleanup,
  runBench,
  startWatchdog,
  writeResults,
} from './lib/proc.mjs';
import { addDeltas, deltas, readAll, startTopologies } from './lib/topologies.mjs';
import {
  MESSAGES_PER_REQUEST,
  printReport,
  projection,
  TARGET_RATIO,
  workSplit,
} from './lib/cluster-report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const MESSAGING = path.join(here, 'contenders', 'messaging');
const QUEUES = path.join(here, 'contenders', 'queues');

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    replicas: { type: 'string', default: '1' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'usage: node bench/cluster.mjs [--quick] [--rounds N] [--replicas 0|1]\n' +
      '  hydra-nest on one Redis and on a 3-master cluster: request-reply ~100 B at c=64 and\n' +
      '  c=256, queue drain at c=50; per-master INFO deltas; about 3 minutes (--quick: about 1)\n' +
      '  --replicas: replicas per master (default 1); 0 compares masters alone with one Redis alone,\n' +
      '  as replicas apply every SPUBLISH their master propagates, on the same two cores\n',
  );
  process.exit(0);
}

const PLAN = args.quick
  ? { rounds: 1, warmupMs: 300, measureMs: 1000, warmUpMs: 1000, queueN: 3000, queueRounds: 1 }
  : { rounds: 4, warmupMs: 400, measureMs: 2000, warmUpMs: 2000, queueN: 20_000, queueRounds: 2 };
if (args.rounds) PLAN.rounds = Number(args.rounds);
const REPLICAS = Number(args.replicas);
if (![0, 1].includes(REPLICAS)) throw new Error(`--replicas ${args.replicas}: use 0 or 1`);

const SCENARIOS = [
  { key: 'rr-100-c64', bytes: 100, concurrency: 64 },
  { key: 'rr-100-c256', bytes: 100, concurrency: 256 },
];
const REDIS_ARGS = ['--client-output-buffer-limit', 'pubsub 256mb 128mb 60'];

function log(line = '') {
  process.stdout.write(`${line}\n`);
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** Alternating order: round 0 single then cluster, round 1 cluster then single, ... */
function inTurn(list, round) {
  return round % 2 === 0 ? list : [...list].reverse();
}

/** Runs `measure` while reading every node of the topology and metering the machine's CPU. */
async function observed(topology, children, measure) {
  const meter = await startCpuMeter(
    topology.nodes.map((n) => n.client),
    children,
  );
  const before = await readAll(topology);
  const result = await measure();
  const after = await readAll(topology);
  result.cpu = await meter.stop();
  result.nodes = deltas(topology, before, after);
  return result;
}

/* ------------------------------------------------------------------ request-reply --------------------- */

async function startPair(topology) {
  const server = await Child.start(
    `${topology.name}/server`,
    'server',
    path.join(MESSAGING, 'hydra-nest-server.mjs'),
  );
  await server.call('start', topology.cfg, 60_000);
  const client = await Child.start(
    `${topology.name}/client`,
    'client',
    path.join(MESSAGING, 'hydra-nest-client.mjs'),
  );
  await client.call('connect', topology.cfg, 60_000);
  await client.call('check', { payloadBytes: 100 }, 10_000);
  return { topology, server, client };
}

async function runRequestReply(topologies) {
  log('\n== Request-reply, ~100 B: hydra-nest server and client processes on each topology');
  const pairs = [];
  for (const topology of topologies) pairs.push(await startPair(topology));
  for (const pair of pairs) {
    const loop = { concurrency: 16, warmupMs: 0, measureMs: PLAN.warmUpMs, payloadBytes: 100 };
    await pair.client.call('loop', loop, PLAN.warmUpMs + 20_000);
  }
  const results = {};
  for (const scenario of SCENARIOS) {
    const totals = new Map(
      pairs.map((p) => [p.topology.name, { count: 0, seconds: 0, replied: 0, errors: 0, rounds: [] }]),
    );
    for (let round = 0; round < PLAN.rounds; round++) {
      for (const pair of inTurn(pairs, round)) {
        const loop = {
          concurrency: scenario.concurrency,
          warmupMs: PLAN.warmupMs,
          measureMs: PLAN.measureMs,
          payloadBytes: scenario.bytes,
        };
        const timeout = PLAN.warmupMs + PLAN.measureMs + 30_000;
        const r = await observed(pair.topology, [pair.server, pair.client], () =>
          pair.client.call('loop', loop, timeout),
        );
        const total = totals.get(pair.topology.name);
        total.count += r.count;
        total.seconds += r.seconds;
        total.replied += r.replied;
        total.errors += r.errors;
        total.nodes = addDeltas(total.nodes, r.nodes);
        total.rounds.push({ rate: Math.round(r.rate), foreignCpu: r.cpu.foreign, ourCpu: r.cpu.ours });
        await sleep(200);
      }
    }
    for (const [name, total] of totals) {
      total.rate = total.count / total.seconds;
      total.disturbed = total.rounds.some((r) => r.foreignCpu > FOREIGN_LIMIT);
      total.split = workSplit(total.nodes, total.replied * MESSAGES_PER_REQUEST);
      log(
        `  ${scenario.key} ${name.padEnd(7)} ${fmt(total.rate)} req/s  (rounds ${total.rounds.map((r) => fmt(r.rate)).join(', ')})`,
      );
    }
    results[scenario.key] = Object.fromEntries(totals);
  }
  await Promise.all(pairs.flatMap((p) => [p.client.stop('close'), p.server.stop('stop')]));
  return results;
}

/* ------------------------------------------------------------------ queue drain ----------------------- */

async function drainOnce(topology) {
  await topology.flush();
  const worker = await Child.start(
    `${topology.name}/worker`,
    'worker',
    path.join(QUEUES, 'hydra-nest-worker.mjs'),
  );
  const producer = await Child.start(
    `${topology.name}/producer`,
    'producer',
    path.join(QUEUES, 'hydra-nest-producer.mjs'),
  );
  try {
    await worker.call('setup', { ...topology.cfg, concurrency: 50 }, 30_000);
    await producer.call('setup', topology.cfg, 60_000);
    const n = PLAN.queueN;
    const enqueued = await producer.call('enqueueMany', { n, window: 64, bytes: 100 }, 120_000);
    if (enqueued.errors > 0) throw new Error(`enqueue errors: ${enqueued.lastError}`);
    await worker.call('resetStats');
    const r = await observed(topology, [worker, producer], async () => {
      await worker.call('start', {}, 60_000);
      return worker.call('waitCount', { n, timeoutMs: 90_000 }, 100_000);
    });
    if (r.timedOut) throw new Error(`drain timed out after ${r.count} of ${n} jobs`);
    return {
      n,
      ms: r.firstToLastMs,
      rate: ((r.count - 1) * 1000) / r.firstToLastMs,
      cpu: r.cpu,
      nodes: r.nodes,
    };
  } finally {
    await Promise.all([producer.stop('close'), worker.stop('stop')]);
  }
}

async function runQueueDrain(topologies) {
  log(`\n== Queue drain, concurrency 50: ${fmt(PLAN.queueN)} x ~100 B enqueued, then drained by one worker`);
  const totals = new Map(topologies.map((t) => [t.name, { n: 0, ms: 0, rounds: [] }]));
  for (let round = 0; round < PLAN.queueRounds; round++) {
    for (const topology of inTurn(topologies, round)) {
      const r = await drainOnce(topology);
      const total = totals.get(topology.name);
      total.n += r.n - 1;
      total.ms += r.ms;
      total.nodes = addDeltas(total.nodes, r.nodes);
      total.rounds.push({ rate: Math.round(r.rate), foreignCpu: r.cpu.foreign, ourCpu: r.cpu.ours });
    }
  }
  for (const [name, total] of totals) {
    total.rate = (total.n * 1000) / total.ms;
    total.disturbed = total.rounds.some((r) => r.foreignCpu > FOREIGN_LIMIT);
    total.perMaster = total.nodes
      .filter((n) => n.role === 'master')
      .map((n) => ({ port: n.port, calls: n.calls, cpuMs: n.cpuMs, corePct: n.corePct }));
    log(
      `  drain ${name.padEnd(7)} ${fmt(total.rate)} jobs/s  (rounds ${total.rounds.map((r) => fmt(r.rate)).join(', ')})`,
    );
  }
  await Promise.all(topologies.map((t) => t.flush()));
  return Object.fromEntries(totals);
}

/* ------------------------------------------------------------------ main ------------------------------ */

async function main() {
  installCleanup();
  startWatchdog('bench:cluster', args.quick ? 5 : 12);
  const started = performance.now();
  log(
    `hydra-nest on one Redis and on a Redis Cluster${args.quick ? ' (--quick)' : ''}; load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const topologies = await startTopologies(['single', 'cluster'], REDIS_ARGS, {
    replicasPerMaster: REPLICAS,
  });
  const [single, cluster] = topologies;
  log(
    `  one Redis on ${single.nodes[0].port}; cluster masters ${cluster.masters.map((m) => m.port).join(', ')}`,
  );
  const plan = { quick: args.quick, ...PLAN, replicasPerMaster: REPLICAS, scenarios: SCENARIOS };
  const results = { plan: { ...plan, targetRatio: TARGET_RATIO } };
  try {
    results.requestReply = await runRequestReply(topologies);
    for (const scenario of SCENARIOS) {
      const r = results.requestReply[scenario.key];
      r.cluster.projection = projection(r.cluster.split);
      r.ratio = r.cluster.rate / r.single.rate;
    }
    results.queueDrain = await runQueueDrain(topologies);
    results.queueDrain.ratio = results.queueDrain.cluster.rate / results.queueDrain.single.rate;
  } finally {
    await Promise.all(topologies.map((t) => t.stop()));
  }
  results.machine = describeMachine();
  results.durationSeconds = (performance.now() - started) / 1000;
  printReport(results, SCENARIOS, log);
  writeResults(REPLICAS ? 'cluster.json' : 'cluster-no-replicas.json', results, log);
}

runBench('bench:cluster', main);
