// Instructions per request, counted by valgrind's callgrind: a figure that does not move with this
// machine's noise (host phases move c=1 latencies by up to 3x between rounds; instruction counts of the
// same build agree within about 1%). It complements `run.mjs`, it does not replace it: instructions are
// not time (cache misses, system calls and waits are not in them), but a change that saves instructions
// on the request path shows here at once, where a timed A/B needs many rounds to see it.
//
//   node bench/instructions.mjs [--only raw,raw-umf,hydra-nest] [--side server|client|both] [--bytes 100]
//                               [--warmup 5000 (requests)] [--measure-ms 10000] [--keep <dir>]
//                               [--trees <checkout>,<checkout>] [--repeat 1]
//
// `--trees` counts the contenders of other checkouts (each built with `npm ci && npm run build`), one
// after the other in each of `--repeat` rounds: an A/B of two commits in one run, where the spread of a
// build's own rounds shows how far the difference between builds can be trusted.
//
// `--keep <dir>` leaves callgrind's files in <dir> to see where the instructions go: the measured window
// of the main thread is `<name>.<side>.<tree>.<pid>.3-01` (`.2-01` is the idle window); `callgrind_annotate --inclusive=no --threshold=100`
// lists it by function (without the threshold it stops at `__libc_start_main`). JIT-compiled JavaScript
// shows as bare addresses; BENCH_NODE_ARGS=--perf-basic-prof makes node write /tmp/perf-<pid>.map,
// which names them (address, size, name per line; it also leaves isolate-*-v8.log files, ignored by git).
//
// For each contender and side, that side's process runs under callgrind (the other one runs normally),
// sends `--warmup` requests at concurrency 1 (the JIT settles: by count, as valgrind slows each process
// differently), idles for `--measure-ms`, then sends requests for `--measure-ms`, with a callgrind dump
// between the phases. The figure is the main thread's instructions in the request window, less the idle
// window's rate times its length (the timers' work, which would otherwise weigh more on each request
// the fewer requests valgrind lets through), divided by the requests: user space only (the kernel's
// share is not counted), JIT compilation and GC helpers on other threads left out, the child's own
// measuring loop included (the same code for every contender).
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from '../scripts/lib/redis-process.mjs';
import { Child, installCleanup, killEverything, trackRedis } from './lib/proc.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const messagingDirOf = (tree) => path.join(tree, 'bench', 'contenders', 'messaging');
const CONTENDERS = ['raw', 'raw-umf', 'nest-redis', 'moleculer', 'hydra', 'hydra-nest'];

function parseArgs(argv) {
  const options = {
    only: ['raw', 'raw-umf', 'hydra-nest'],
    side: 'both',
    bytes: 100,
    warmup: 5000,
    measureMs: 10_000,
    trees: [path.resolve(here, '..')],
    repeat: 1,
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--only') options.only = value().split(',').filter(Boolean);
    else if (flag === '--side') options.side = value();
    else if (flag === '--bytes') options.bytes = Number(value());
    else if (flag === '--warmup') options.warmup = Number(value());
    else if (flag === '--measure-ms') options.measureMs = Number(value());
    else if (flag === '--keep') options.keep = path.resolve(value());
    else if (flag === '--trees')
      options.trees = value()
        .split(',')
        .filter(Boolean)
        .map((dir) => path.resolve(dir));
    else if (flag === '--repeat') options.repeat = Number(value());
    else
      throw new Error(`unknown argument ${argv[i]} (see the comment at the top of bench/instructions.mjs)`);
  }
  const unknown = options.only.filter((name) => !CONTENDERS.includes(name));
  if (unknown.length > 0)
    throw new Error(`--only: unknown ${unknown.join(', ')} (known: ${CONTENDERS.join(', ')})`);
  if (!['server', 'client', 'both'].includes(options.side)) throw new Error('--side: server, client or both');
  if (!(options.bytes > 0)) throw new Error('--bytes: a positive number of bytes');
  if (!(options.repeat >= 1)) throw new Error('--repeat: a positive number of rounds');
  for (const tree of options.trees) {
    if (!existsSync(path.join(tree, 'bench', 'contenders', 'messaging')))
      throw new Error(`--trees: ${tree} is not a hydra-nest checkout (no bench/contenders/messaging)`);
  }
  return options;
}

function requireValgrind() {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('valgrind (with callgrind_control) is not installed: apt-get install -y valgrind');
  }
}

/** Instructions of one callgrind dump file (its `summary:` line). */
function instructionsIn(file) {
  const match = /^summary:\s+(\d+)/m.exec(readFileSync(file, 'utf8'));
  if (!match) throw new Error(`no summary line in ${file}`);
  return Number(match[1]);
}

/**
 * With --separate-threads, callgrind writes one file per thread and dump: `<base>.<part>-<thread>`.
 * Thread 01 is node's main thread; part n is the window that ends with the n-th dump we ask for.
 */
function mainThreadWindow(dir, base, pid, part) {
  const file = path.join(dir, `${base}.${pid}.${part}-01`);
  if (!existsSync(file)) throw new Error(`callgrind wrote no dump of the measured window in ${file}`);
  return instructionsIn(file);
}

async function measure(tree, name, side, redisUrl, options, dir) {
  const messagingDir = messagingDirOf(tree);
  const base = `${name}.${side}.${path.basename(tree)}`;
  const wrapper = {
    command: 'valgrind',
    args: [
      '--tool=callgrind',
      '--separate-threads=yes',
      // Names written out in every dump, so that callgrind_annotate can read one dump on its own.
      ...(options.keep ? ['--compress-strings=no'] : []),
      `--callgrind-out-file=${path.join(dir, base)}.%p`,
    ],
  };
  // Under valgrind on a busy machine, booting Nest can take minutes: BENCH_START_TIMEOUT_MS allows for it.
  const startTimeoutMs = Number(process.env.BENCH_START_TIMEOUT_MS ?? 120_000);
  const server = await Child.start(
    `${name}/server`,
    'server',
    path.join(messagingDir, `${name}-server.mjs`),
    {
      loadTimeoutMs: startTimeoutMs,
      wrapper: side === 'server' ? wrapper : undefined,
    },
  );
  const client = await Child.start(
    `${name}/client`,
    'client',
    path.join(messagingDir, `${name}-client.mjs`),
    {
      loadTimeoutMs: startTimeoutMs,
      wrapper: side === 'client' ? wrapper : undefined,
    },
  );
  try {
    await server.call('start', { redisUrl }, startTimeoutMs);
    await client.call('connect', { redisUrl }, startTimeoutMs);
    const loop = (warmupMs, measureMs) =>
      client.call(
        'loop',
        { concurrency: 1, warmupMs, measureMs, payloadBytes: options.bytes },
        warmupMs + measureMs + 60_000,
      );
    for (let done = 0; done < options.warmup;) done += (await loop(0, 2000)).count;
    const traced = (side === 'server' ? server : client).proc.pid;
    const dump = () => {
      execFileSync('callgrind_control', ['--dump', String(traced)], { stdio: 'ignore' });
      return performance.now();
    };
    // An idle window first: the process's own timers (presence, health, caches) run by the clock, so
    // their share of a request depends on how many requests valgrind lets through a second.
    const idleFrom = dump();
    await sleep(options.measureMs);
    const busyFrom = dump();
    const window = await loop(0, options.measureMs);
    const busyTo = dump();
    const idlePerMs = mainThreadWindow(dir, base, traced, 2) / (busyFrom - idleFrom);
    const busy = mainThreadWindow(dir, base, traced, 3);
    return {
      requests: window.count,
      perRequest: (busy - idlePerMs * (busyTo - busyFrom)) / window.count,
      grossPerRequest: busy / window.count,
      idlePerSecond: idlePerMs * 1000,
    };
  } finally {
    await client.stop('close');
    await server.stop('stop');
  }
}

/** The middle value of a round's counts (the lower middle of an even number of rounds). */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function formatCount(value) {
  return Math.round(value).toLocaleString('en-US');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  requireValgrind();
  installCleanup();
  const dir = options.keep ?? mkdtempSync(path.join(os.tmpdir(), 'hydra-nest-callgrind-'));
  if (options.keep) mkdirSync(dir, { recursive: true });
  const redis = await startRedis({});
  trackRedis(redis);
  const sides = options.side === 'both' ? ['server', 'client'] : [options.side];
  const labelOf = (tree) => (options.trees.length > 1 ? `${path.basename(tree)}/` : '');
  const rows = options.trees.flatMap((tree) =>
    options.only.map((name) => ({ tree, name, label: `${labelOf(tree)}${name}`, counts: {} })),
  );
  try {
    for (let round = 1; round <= options.repeat; round++) {
      for (const row of rows) {
        for (const side of sides) {
          const result = await measure(row.tree, row.name, side, redis.url, options, dir);
          (row.counts[side] ??= []).push(result.perRequest);
          process.stdout.write(
            `  round ${round}: ${row.label} ${side}: ${formatCount(result.perRequest)} instructions per request ` +
              `(${result.requests} requests; ${formatCount(result.grossPerRequest)} before taking out ` +
              `${formatCount(result.idlePerSecond)} a second of idle work)\n`,
          );
        }
      }
    }
  } finally {
    await redis.stop();
    trackRedis(undefined);
    if (!options.keep && existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
  const rounds = options.repeat > 1 ? `, median of ${options.repeat} rounds [lowest-highest]` : '';
  process.stdout.write(
    `\nmain-thread instructions per request, c=1, ~${options.bytes} B${rounds} (ratio to raw)\n`,
  );
  const width = Math.max(...rows.map((row) => row.label.length)) + 1;
  for (const row of rows) {
    const floor = rows.find((other) => other.tree === row.tree && other.name === 'raw');
    const cells = sides.map((side) => {
      const counts = row.counts[side];
      const ratio = floor ? ` (${(median(counts) / median(floor.counts[side])).toFixed(2)}x)` : '';
      const spread =
        counts.length > 1 ? ` [${formatCount(Math.min(...counts))}-${formatCount(Math.max(...counts))}]` : '';
      return `${side} ${formatCount(median(counts)).padStart(9)}${spread}${ratio}`;
    });
    process.stdout.write(`  ${row.label.padEnd(width)} ${cells.join('   ')}\n`);
  }
}

main().catch((error) => {
  process.stderr.write(`bench/instructions: ${error.message}\n`);
  killEverything();
  process.exit(1);
});
