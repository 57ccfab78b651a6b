import { Hydra, silentLogger, WorkQueue } from '@hydra-nest/core';
import { Redis } from 'ioredis';
import { startRedis } from '../../scripts/lib/redis-process.mjs';
import { Forger } from './forger.js';
import { GoodTraffic } from './good-traffic.js';
import { nextHostile, type Hostile, type HostileContext } from './hostile.js';
import { Prng } from './prng.js';
import { check, emptyReport, type FuzzReport } from './report.js';
import { startService, type ServiceProcess } from './service-process.js';

export { LIMITS, mib, type FuzzReport } from './report.js';

const SERVICE = 'fuzz-svc';
const CLIENT = 'fuzz-client';
const KEY = `hydra:service:${SERVICE}`;
/** A channel payload larger than this is read by the service before the next one is sent. */
const LARGE_BYTES = 2 ** 20;

/** A fuzz campaign; only `seed` and `messages` are required. */
export interface FuzzOptions {
  seed: number;
  /** Hostile payloads to send, across channels, announcements and the queue. */
  messages: number;
  /** Forge replies to the good requests (see Forger). */
  forgeReplies?: boolean;
  /** Run the service from the TypeScript sources (tests) rather than the built packages. Default true. */
  sources?: boolean;
  /** Largest hostile `bdy` on a channel. Default 9 MiB. */
  hugeMaxBytes?: number;
  /** The service's `queue.maxMessageBytes`. Default 256 KiB (Redis keeps what the queue rejects). */
  queueMaxBytes?: number;
  /** One good request per this many hostile payloads (a good job per twice, a good event per 4x). Default 10. */
  goodEvery?: number;
  /** Called with a line of progress now and then. */
  progress?: (line: string) => void;
}

/** What the generators said the service must reject, or may (see hostile.ts). */
interface Expected {
  channelReject: number;
  channelEither: number;
  queueReject: number;
  queueEither: number;
}

/**
 * Runs one seeded campaign against a fresh service on a private Redis and reports what it found
 * (`problems` empty when the service held). Never throws for what it finds.
 */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const began = Date.now();
  const { seed, messages } = options;
  const queueMaxBytes = options.queueMaxBytes ?? 2 ** 18;
  const report = emptyReport(seed, messages);
  const redis = await startRedis();
  const url = redis.urlFor(15);
  const attacker = new Redis(url);
  const client = new Hydra({
    serviceName: CLIENT,
    serviceIP: '127.0.0.1',
    logger: silentLogger,
    redis: { url },
    messaging: { timeoutMs: 20_000 },
  });
  let service: ServiceProcess | undefined;
  let forger: Forger | undefined;
  try {
    service = await startService(url, SERVICE, queueMaxBytes, options.sources ?? true);
    await client.start();
    await client.instances.watch(SERVICE);
    const rng = new Prng(seed);
    const good = new GoodTraffic(client, new WorkQueue(client), SERVICE, rng.fork(2));
    if (options.forgeReplies) {
      forger = new Forger(url, SERVICE, { service: CLIENT, instanceId: client.instanceId }, rng.fork(3));
      await forger.start();
    }
    const ctx: HostileContext = {
      service: SERVICE,
      instanceId: service.instanceId,
      queueMaxBytes,
      hugeMaxBytes: options.hugeMaxBytes ?? 9 * 2 ** 20,
    };
    const expected = await attack(options, ctx, rng.fork(1), attacker, good, service, report, began);
    await good.settled();
    // A last request: once it is answered, every payload published before it has been processed.
    if (!service.exit) await (await good.request()).answered;
    await drainQueue(attacker, service, good.problems);
    report.rejected.queue += await takeIncomplete(attacker);
    await collect(report, expected, good, service, attacker);
    report.forged = forger?.sent ?? {};
  } finally {
    forger?.stop();
    attacker.disconnect();
    await client.stop().catch(() => undefined);
    await service?.stop();
    await redis.stop();
  }
  report.durationMs = Date.now() - began;
  return report;
}

/** Sends the hostile payloads, good traffic among them; counts what must be rejected. */
async function attack(
  options: FuzzOptions,
  ctx: HostileContext,
  rng: Prng,
  attacker: Redis,
  good: GoodTraffic,
  service: ServiceProcess,
  report: FuzzReport,
  began: number,
): Promise<Expected> {
  const goodEvery = options.goodEvery ?? 10;
  const expected: Expected = { channelReject: 0, channelEither: 0, queueReject: 0, queueEither: 0 };
  for (let i = 0; i < options.messages && !service.exit; i++) {
    const h = nextHostile(rng, ctx);
    report.tried[h.target]++;
    report.kinds[h.kind] = (report.kinds[h.kind] ?? 0) + 1;
    const on = h.target === 'queue' ? 'queue' : h.target === 'announce' ? undefined : 'channel';
    if (on && h.verdict !== 'accept') expected[`${on}${h.verdict === 'reject' ? 'Reject' : 'Either'}`]++;
    await deliver(attacker, h, ctx.instanceId);
    // Redis cuts off a subscriber whose pub/sub buffer passes 32 MB: let the service read a large one first.
    if (on !== 'queue' && h.payload.length > LARGE_BYTES) await (await good.request()).answered;
    if (i % goodEvery === 0) await good.request();
    if (i % (goodEvery * 2) === 0) await good.job();
    if (i % (goodEvery * 4) === 0) await good.event();
    if (i > 0 && i % 2000 === 0) report.rejected.queue += await takeIncomplete(attacker);
    if (i > 0 && i % 1000 === 0) {
      options.progress?.(`${i} hostile payloads sent (${Math.round((Date.now() - began) / 1000)} s)`);
    }
  }
  return expected;
}

/** Fills the report from the service's own report and Redis, then checks it. */
async function collect(
  report: FuzzReport,
  expected: Expected,
  good: GoodTraffic,
  service: ServiceProcess,
  redis: Redis,
): Promise<void> {
  const problems = good.problems;
  const done = service.exit ? {} : await redis.hgetall(`${SERVICE}:fuzz:done`);
  const sr = service.exit ? undefined : await service.report();
  report.crashed = service.exit;
  report.good = {
    requests: good.requests,
    lost: problems.filter((p) => p.startsWith('lost:')).length,
    changed: problems.filter((p) => p.startsWith('changed:')).length,
    jobs: good.jobs.length,
    jobsLost: good.jobs.filter((mid) => !done[mid]).length,
    jobsRepeated: good.jobs.filter((mid) => Number(done[mid]) > 1).length,
    events: good.events.length,
    eventsLost: good.events.filter((n) => !sr?.goodEvents.includes(n)).length,
  };
  report.rejected.channels = sr?.messaging.malformed ?? 0;
  report.rejected.channelsExpected = [
    expected.channelReject,
    expected.channelReject + expected.channelEither,
  ];
  report.rejected.queueExpected = [expected.queueReject, expected.queueReject + expected.queueEither];
  if (sr) {
    const perSecond = sr.logLinesPerSecond;
    report.logs = {
      lines: perSecond.reduce((a, b) => a + b, 0),
      maxPerSecond: Math.max(0, ...perSecond),
      sample: sr.logSample,
    };
    report.maxEventLoopDelayMs = Math.round(sr.maxEventLoopDelayMs);
    report.memory = {
      peakRss: sr.peakRss,
      peakHeapUsed: sr.peakHeapUsed,
      heapGrowth: sr.heapAfterGcNow - sr.heapAfterGcAtStart,
    };
    // Every payload on the service's channels is counted once, malformed or received. Known only when
    // every good request was answered (a failed one may not have reached the service).
    const delivered = report.tried.service + report.tried.instance + good.requests + good.events.length;
    const counted = sr.messaging.malformed! + sr.messaging.received!;
    if (report.good.lost === 0 && counted !== delivered) {
      problems.push(
        `counted ${counted} channel messages (malformed + received), ${delivered} were delivered`,
      );
    }
    if (sr.pollution.length) problems.push(`prototype polluted: ${sr.pollution.join(', ')}`);
  }
  check(report, problems);
  report.problems = problems;
}

/** Counts and empties the dead letters (rejected entries would otherwise fill Redis on long runs). */
async function takeIncomplete(redis: Redis): Promise<number> {
  const [[, length]] = (await redis
    .multi()
    .llen(`${KEY}:mqincomplete`)
    .del(`${KEY}:mqincomplete`)
    .exec()) as [[Error | null, number], unknown];
  return length;
}

function deliver(attacker: Redis, h: Hostile, instanceId: string): Promise<unknown> {
  switch (h.target) {
    case 'service':
      return attacker.publish(`hydra:service:mc:${SERVICE}`, h.payload);
    case 'instance':
      return attacker.publish(`hydra:service:mc:${SERVICE}:${instanceId}`, h.payload);
    case 'announce':
      return attacker.publish(`hydra:service:hn:announce:${SERVICE}`, h.payload); // heard by its watchers
    case 'queue':
      return attacker.lpush(`${KEY}:mqrecieved`, h.payload);
  }
}

/** Waits until nothing is left to take or running in the service's queue. */
async function drainQueue(redis: Redis, service: ServiceProcess, problems: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const [received, inProgress, delayed] = await Promise.all([
      redis.llen(`${KEY}:mqrecieved`),
      redis.llen(`${KEY}:mqinprogress`),
      redis.zcard(`${KEY}:hn:delayed`),
    ]);
    if (received + inProgress + delayed === 0 || service.exit) return;
    if (Date.now() > deadline) {
      problems.push(
        `queue not drained after 60 s: ${received} received, ${inProgress} in progress, ${delayed} delayed`,
      );
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
