// What Prometheus metrics (or OpenTelemetry tracing) cost a hydra-nest service under load: an A/B of
// request-reply throughput at a fixed concurrency, the feature off in one round and on in the next.
//
//   node bench/metrics-cost.mjs [--feature metrics|tracing] [--rounds 6] [--round-ms 5000]
//                               [--warmup-ms 2000] [--concurrency 64]
//
// Each round forks a fresh server (a Nest microservice: HydraModule + HydraTransport, one @UmfHandler
// echoing its body) and a fresh client (a core Hydra instance calling messaging.request in
// `--concurrency` closed loops) on a private redis-server, warms up, then counts the replies of
// `--round-ms`. Rounds alternate off, on, off, on... so that drift in the machine's load falls on both;
// the figure is the median of the on/off ratios of consecutive pairs.
// - metrics on: HydraMetricsModule.forRoot({ port: 0 }) in the server, collectHydraMetrics in the
//   client, and both scraped over HTTP every second (Prometheus scrapes every 15 s by default).
// - tracing on: an OpenTelemetry SDK in both processes (BasicTracerProvider, W3C propagator,
//   AsyncLocalStorage context manager, a BatchSpanProcessor exporting to nowhere).
// Needs `npm run build` first. The machine should be otherwise quiet: this is a timing.
import 'reflect-metadata';
import { fork } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { sendCommand, startRedis } from '../scripts/lib/redis-process.mjs';
import { registerTracing } from './lib/observability.mjs';

const self = fileURLToPath(import.meta.url);
const SERVICE = 'cost-svc';
const DB = 13;

function parseArgs(argv) {
  const options = { feature: 'metrics', rounds: 6, roundMs: 5000, warmupMs: 2000, concurrency: 64 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--feature') options.feature = value();
    else if (flag === '--rounds') options.rounds = Number(value());
    else if (flag === '--round-ms') options.roundMs = Number(value());
    else if (flag === '--warmup-ms') options.warmupMs = Number(value());
    else if (flag === '--concurrency') options.concurrency = Number(value());
    else
      throw new Error(`unknown argument ${argv[i]} (see the comment at the top of bench/metrics-cost.mjs)`);
  }
  if (!['metrics', 'tracing'].includes(options.feature)) throw new Error('--feature: metrics or tracing');
  if (!(options.rounds >= 2)) throw new Error('--rounds: at least 2');
  return options;
}

/* ------------------------------------------------------------------ children -------------------------- */

function cpuMicros() {
  const { user, system } = process.cpuUsage();
  return user + system;
}

function scrapeEverySecond(url) {
  const scrape = () =>
    httpRequest(url, (res) => res.resume())
      .on('error', () => undefined)
      .end();
  setInterval(scrape, 1000).unref();
}

async function runServer(redisUrl, feature, on) {
  if (on && feature === 'tracing') await registerTracing();
  const { Controller, Module } = await import('@nestjs/common');
  const { NestFactory } = await import('@nestjs/core');
  const { HydraModule, HydraTransport, UmfHandler } = await import('@hydra-nest/nest');
  const { HydraMetricsModule, HydraMetricsLifecycle } = await import('@hydra-nest/nest/metrics');
  class EchoController {
    echo(body) {
      return body;
    }
  }
  const proto = EchoController.prototype;
  UmfHandler('echo')(proto, 'echo', Object.getOwnPropertyDescriptor(proto, 'echo'));
  Controller()(EchoController);
  class CostModule {}
  const metrics = on && feature === 'metrics';
  Module({
    imports: [
      HydraModule.forRoot({
        serviceName: SERVICE,
        serviceIP: '127.0.0.1',
        redis: { url: `${redisUrl}/${DB}` },
      }),
      ...(metrics ? [HydraMetricsModule.forRoot({ port: 0, host: '127.0.0.1' })] : []),
    ],
    controllers: [EchoController],
  })(CostModule);
  const app = await NestFactory.createMicroservice(CostModule, {
    inject: [HydraTransport],
    useFactory: (transport) => ({ strategy: transport }),
    logger: false,
  });
  await app.listen();
  if (metrics) scrapeEverySecond(`http://127.0.0.1:${app.get(HydraMetricsLifecycle).port}/metrics`);
  process.on('message', () => process.send({ cpu: cpuMicros() }));
  process.send({ ready: true });
}

async function runClient(redisUrl, feature, on, { concurrency, warmupMs, roundMs }) {
  if (on && feature === 'tracing') await registerTracing();
  const { Hydra, silentLogger } = await import('@hydra-nest/core');
  const hydra = new Hydra({
    serviceName: 'cost-client',
    serviceIP: '127.0.0.1',
    redis: { url: `${redisUrl}/${DB}` },
    logger: silentLogger,
  });
  await hydra.start();
  if (on && feature === 'metrics') {
    const { collectHydraMetrics, serveMetrics } = await import('@hydra-nest/core/metrics');
    collectHydraMetrics(hydra);
    const server = await serveMetrics({ port: 0, host: '127.0.0.1' });
    scrapeEverySecond(`http://127.0.0.1:${server.port}/metrics`);
  }
  while ((await hydra.discovery.instances(SERVICE)).length === 0) await new Promise((r) => setTimeout(r, 50));
  const body = { text: 'x'.repeat(64) };
  let counting = false;
  let count = 0;
  let running = true;
  const loop = async () => {
    while (running) {
      await hydra.messaging.request({ to: `${SERVICE}:/`, typ: 'echo', bdy: body }, { timeoutMs: 10_000 });
      if (counting) count++;
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  await new Promise((r) => setTimeout(r, warmupMs));
  process.send({ measuring: true });
  counting = true;
  const started = performance.now();
  const cpuBefore = cpuMicros();
  await new Promise((r) => setTimeout(r, roundMs));
  counting = false;
  const cpu = cpuMicros() - cpuBefore;
  const rate = count / ((performance.now() - started) / 1000);
  running = false;
  process.send({ rate, count, cpu });
  await Promise.allSettled(loops);
}

/* ------------------------------------------------------------------ orchestrator ---------------------- */

function child(role, redisUrl, options, on) {
  const proc = fork(self, [role, redisUrl, options.feature, on ? 'on' : 'off', JSON.stringify(options)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = () =>
    new Promise((resolve, reject) => {
      const onExit = (code) => reject(new Error(`${role} exited (${code}) before answering`));
      proc.once('exit', onExit);
      proc.once('message', (message) => {
        proc.off('exit', onExit);
        resolve(message);
      });
    });
  return { proc, next };
}

/** One round: replies a second, and CPU time (both processes, user + system) per request in µs. */
async function round(redisUrl, options, on) {
  const server = child('server', redisUrl, options, on);
  try {
    await server.next();
    const client = child('client', redisUrl, options, on);
    try {
      await client.next(); // measuring from now
      const serverBefore = server.next();
      server.proc.send('cpu');
      const before = (await serverBefore).cpu;
      const { rate, count, cpu } = await client.next();
      const serverAfter = server.next();
      server.proc.send('cpu');
      const after = (await serverAfter).cpu;
      return { rate, cpuPerRequest: (cpu + after - before) / count };
    } finally {
      client.proc.kill('SIGKILL');
    }
  } finally {
    server.proc.kill('SIGKILL');
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function orchestrate(options) {
  const redis = await startRedis({});
  const kill = () => redis.stop();
  process.once('SIGINT', () => void kill().then(() => process.exit(130)));
  try {
    console.log(
      `${options.feature} cost: ${options.rounds} rounds of ${options.roundMs} ms at c=${options.concurrency}, off/on alternating`,
    );
    const rates = { off: [], on: [] };
    const cpu = { off: [], on: [] };
    for (let i = 0; i < options.rounds; i++) {
      const on = i % 2 === 1;
      // A fresh keyspace per round: nothing left by the previous round's instances.
      await sendCommand(redis.port, ['FLUSHALL']);
      const result = await round(redis.url, options, on);
      rates[on ? 'on' : 'off'].push(result.rate);
      cpu[on ? 'on' : 'off'].push(result.cpuPerRequest);
      console.log(
        `  round ${i + 1} ${on ? 'on ' : 'off'}: ${Math.round(result.rate)} req/s, ` +
          `${result.cpuPerRequest.toFixed(1)} µs CPU/request (client + server)`,
      );
    }
    const pct = (ratio) => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;
    const rateRatio = median(rates.on.map((r, i) => r / rates.off[i]));
    const cpuRatio = median(cpu.on.map((c, i) => c / cpu.off[i]));
    console.log(
      `throughput: median off ${Math.round(median(rates.off))}, on ${Math.round(median(rates.on))} req/s; ` +
        `paired on/off ${rateRatio.toFixed(3)} (${pct(rateRatio)})`,
    );
    console.log(
      `CPU/request: median off ${median(cpu.off).toFixed(1)}, on ${median(cpu.on).toFixed(1)} µs; ` +
        `paired on/off ${cpuRatio.toFixed(3)} (${pct(cpuRatio)})`,
    );
  } finally {
    await kill();
  }
}

const [role, redisUrl, feature, on, json] = process.argv.slice(2);
if (role === 'server') await runServer(redisUrl, feature, on === 'on');
else if (role === 'client') await runClient(redisUrl, feature, on === 'on', JSON.parse(json));
else await orchestrate(parseArgs(process.argv.slice(2)));
