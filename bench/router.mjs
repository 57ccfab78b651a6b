// The router benchmark (issue #18): one run measures, against the same echo service and with the same
// load generator, a direct HTTP call, hydra-nest's router, the real hydra-router and moleculer-web in
// front of a Moleculer service: ~100-byte JSON bodies, latency at c=1 (p50/p99) and requests/s at c=64.
// See bench/README.md ("Router benchmark").
//
//   npm run bench:router                  # builds, then about 2 minutes
//   node bench/router.mjs --quick         # short windows, for development (about 40 s)
//   HYDRA_ROUTER_DIR=/path/to/hydra-router node bench/router.mjs
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, RedisProcess } from '../scripts/lib/redis-process.mjs';
import { findHydraRouter, prepareHydraRouter } from './router/hydra-router-setup.mjs';
import {
  forkScript,
  installCleanup,
  killEverything,
  onCleanup,
  SkipError,
  spawnNode,
  startLoadGenerator,
  statusOf,
} from './router/processes.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
if (args.includes('--help')) {
  process.stdout.write('usage: node bench/router.mjs [--quick] [--out <file.json>]\n');
  process.exit(0);
}
const quick = args.includes('--quick');
const outIndex = args.indexOf('--out');
const outFile = outIndex >= 0 ? args[outIndex + 1] : path.join(here, 'results', 'router-latest.json');
/** Warm-up and measured windows, ms, for each of c=1 and c=64. */
const WINDOWS = quick ? { warmupMs: 500, durationMs: 2000 } : { warmupMs: 2000, durationMs: 8000 };
const ECHO_PATH = '/v1/bench/echo';
const TARGETS = { maxAddedP50Ms: 0.3, minRatioToHydraRouter: 2, minRatioToMoleculerWeb: 1 };

installCleanup();
const log = (text) => process.stdout.write(`${text}\n`);

/** Starts each contender's processes; returns `{ name, url }` or `{ name, skipped }`. */
async function startContenders(redis) {
  const redisUrl = redis.urlFor(15);
  const echo = await forkScript('echo-service.mjs', { redisUrl, serviceName: 'bench-echo-svc' });
  const contenders = [{ name: 'direct', url: `http://127.0.0.1:${echo.port}${ECHO_PATH}` }];

  contenders.push(
    await attempt('hydra-nest router', async () => {
      const router = await forkScript('hydra-nest-router.mjs', {
        redisUrl,
        serviceName: 'hydra-nest-router',
      });
      await waitForRoute(`http://127.0.0.1:${router.port}${ECHO_PATH}`);
      return `http://127.0.0.1:${router.port}${ECHO_PATH}`;
    }),
  );

  contenders.push(
    await attempt('hydra-router', async () => {
      const found = findHydraRouter();
      if (found.skip) throw new SkipError(found.skip);
      const port = await freePort();
      const copy = prepareHydraRouter(found.dir, { port, redisUrl });
      onCleanup(copy.remove);
      await spawnNode(copy.entry, copy.dir, `http://127.0.0.1:${port}/v1/router/health`);
      await waitForRoute(`http://127.0.0.1:${port}${ECHO_PATH}`);
      return `http://127.0.0.1:${port}${ECHO_PATH}`;
    }),
  );

  contenders.push(
    await attempt('moleculer-web', async () => {
      await forkScript('moleculer-service.mjs', { redisUrl: redis.url });
      const gateway = await forkScript('moleculer-gateway.mjs', { redisUrl: redis.url });
      return `http://127.0.0.1:${gateway.port}${ECHO_PATH}`;
    }),
  );
  return contenders;
}

async function attempt(name, start) {
  try {
    return { name, url: await start() };
  } catch (error) {
    const reason = error instanceof SkipError ? error.message : `failed to start: ${error.message}`;
    log(`  ${name}: skipped, ${reason}`);
    return { name, skipped: reason };
  }
}

/** Waits until a POST through a router reaches the echo service (its route table may fill a bit later). */
async function waitForRoute(url, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 0;
  while (Date.now() < deadline) {
    last = await statusOf(url, '{}');
    if (last === 200) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} still answers ${last || 'nothing'} after ${timeoutMs} ms`);
}

function fmt(value, digits = 3) {
  return value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
}

function verdict(met) {
  return met === undefined ? '-' : met ? 'MET' : 'MISSED';
}

function evaluate(results) {
  const by = Object.fromEntries(results.filter((r) => !r.skipped).map((r) => [r.name, r]));
  const nest = by['hydra-nest router'];
  const added = nest && by.direct ? nest.c1.latencyMs.p50 - by.direct.c1.latencyMs.p50 : undefined;
  const toHydraRouter = nest && by['hydra-router'] ? nest.c64.rps / by['hydra-router'].c64.rps : undefined;
  const toMoleculer = nest && by['moleculer-web'] ? nest.c64.rps / by['moleculer-web'].c64.rps : undefined;
  return [
    {
      target: `hydra-nest router adds <= ${TARGETS.maxAddedP50Ms} ms at p50 over direct (c=1)`,
      value: added === undefined ? '-' : `${fmt(added)} ms`,
      status: verdict(added === undefined ? undefined : added <= TARGETS.maxAddedP50Ms),
    },
    {
      target: `hydra-nest router req/s at c=64 >= ${TARGETS.minRatioToHydraRouter}x hydra-router`,
      value: toHydraRouter === undefined ? '-' : `${fmt(toHydraRouter, 2)}x`,
      status: verdict(
        toHydraRouter === undefined ? undefined : toHydraRouter >= TARGETS.minRatioToHydraRouter,
      ),
    },
    {
      target: 'hydra-nest router req/s at c=64 >= moleculer-web',
      value: toMoleculer === undefined ? '-' : `${fmt(toMoleculer, 2)}x`,
      status: verdict(toMoleculer === undefined ? undefined : toMoleculer >= TARGETS.minRatioToMoleculerWeb),
    },
  ];
}

function printResults(results, targets) {
  log('');
  log('contender            c=1 p50 ms  c=1 p99 ms  c=1 req/s  c=64 req/s  c=64 p50 ms  c=64 p99 ms  errors');
  for (const r of results) {
    if (r.skipped) {
      log(`${r.name.padEnd(20)} skipped: ${r.skipped}`);
      continue;
    }
    const cells = [
      fmt(r.c1.latencyMs.p50),
      fmt(r.c1.latencyMs.p99),
      fmt(r.c1.rps, 0),
      fmt(r.c64.rps, 0),
      fmt(r.c64.latencyMs.p50),
      fmt(r.c64.latencyMs.p99),
    ].map((cell, i) => cell.padStart(i === 0 ? 10 : 11));
    log(`${r.name.padEnd(20)} ${cells.join(' ')}  ${r.c1.errors + r.c64.errors}`);
  }
  log('');
  for (const t of targets) log(`${t.status.padEnd(7)} ${t.target}: ${t.value}`);
}

async function main() {
  const started = Date.now();
  log(
    `router benchmark${quick ? ' (--quick)' : ''}: ~100 B JSON bodies, c=1 then c=64, ` +
      `${WINDOWS.warmupMs} ms warm-up + ${WINDOWS.durationMs} ms measured each`,
  );
  const redis = new RedisProcess();
  onCleanup(() => {
    redis.child?.kill('SIGKILL');
    if (redis.ownsDir) rmSync(redis.dir, { recursive: true, force: true });
  });
  await redis.start();
  log(`  private redis-server on port ${redis.port}`);
  const contenders = await startContenders(redis);
  const load = await startLoadGenerator();
  // Let the processes finish starting (JIT, timers of their first seconds) before any window opens.
  await new Promise((r) => setTimeout(r, quick ? 500 : 2000));
  const results = [];
  for (const contender of contenders) {
    if (contender.skipped) {
      results.push(contender);
      continue;
    }
    log(`  measuring ${contender.name}`);
    const c1 = await load.measure({ url: contender.url, concurrency: 1, ...WINDOWS });
    const c64 = await load.measure({ url: contender.url, concurrency: 64, ...WINDOWS });
    for (const [label, r] of [
      ['c=1', c1],
      ['c=64', c64],
    ]) {
      if (r.errors > 0 || r.ok === 0)
        log(`    ${label}: ${r.errors} errors${r.firstError ? ` (${r.firstError})` : ''}`);
    }
    results.push({ ...contender, c1, c64 });
  }
  const targets = evaluate(results);
  printResults(results, targets);
  mkdirSync(path.dirname(outFile), { recursive: true });
  const machine = {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    node: process.version,
    load: os.loadavg(),
  };
  writeFileSync(
    outFile,
    JSON.stringify(
      { date: new Date().toISOString(), quick, windows: WINDOWS, machine, results, targets },
      null,
      2,
    ),
  );
  log(
    `\nwritten ${path.relative(process.cwd(), outFile)} in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

main()
  .catch((error) => {
    process.stderr.write(`router benchmark failed: ${error.stack ?? error}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    killEverything();
    if (!process.exitCode) process.exitCode = 0;
  });
