import type { Target } from './hostile.js';

/** What a campaign found; `problems` is empty when the service held. */
export interface FuzzReport {
  seed: number;
  messages: number;
  tried: Record<Target, number>;
  kinds: Record<string, number>;
  crashed: string | undefined;
  good: {
    requests: number;
    lost: number;
    changed: number;
    jobs: number;
    jobsLost: number;
    jobsRepeated: number;
    events: number;
    eventsLost: number;
  };
  rejected: {
    channels: number;
    channelsExpected: [number, number];
    queue: number;
    queueExpected: [number, number];
  };
  forged: Record<string, number>;
  logs: { lines: number; maxPerSecond: number; sample: string[] };
  memory: { peakRss: number; peakHeapUsed: number; heapGrowth: number };
  /** Longest the service's event loop was blocked, ms. */
  maxEventLoopDelayMs: number;
  durationMs: number;
  problems: string[];
}

/**
 * Bounds the service must stay within. Warnings: six kinds logged at most once a second, and handler
 * failures at most five a second, whose one-second windows may both fall in one counted second.
 */
export const LIMITS = { logLinesPerSecond: 16, peakRssBytes: 768 * 2 ** 20, heapGrowthBytes: 48 * 2 ** 20 };

/** Adds to `problems` what in `r` breaks the rules of a campaign. */
export function check(r: FuzzReport, problems: string[]): void {
  if (r.crashed) problems.push(`the service crashed: ${r.crashed}`);
  if (r.good.jobsLost) problems.push(`${r.good.jobsLost} of ${r.good.jobs} good jobs were never processed`);
  if (r.good.eventsLost)
    problems.push(`${r.good.eventsLost} of ${r.good.events} good events never reached the handler`);
  const within = (n: number, [min, max]: [number, number]) => n >= min && n <= max;
  if (!within(r.rejected.channels, r.rejected.channelsExpected)) {
    problems.push(
      `stats.malformed is ${r.rejected.channels}, expected ${r.rejected.channelsExpected.join('..')}`,
    );
  }
  if (!within(r.rejected.queue, r.rejected.queueExpected)) {
    problems.push(`mqincomplete holds ${r.rejected.queue}, expected ${r.rejected.queueExpected.join('..')}`);
  }
  if (r.logs.maxPerSecond > LIMITS.logLinesPerSecond) {
    problems.push(
      `${r.logs.maxPerSecond} warnings in one second (limit ${LIMITS.logLinesPerSecond}): ${r.logs.sample.slice(0, 5).join(' | ')}`,
    );
  }
  if (r.memory.peakRss > LIMITS.peakRssBytes)
    problems.push(`peak RSS ${mib(r.memory.peakRss)} over ${mib(LIMITS.peakRssBytes)}`);
  if (r.memory.heapGrowth > LIMITS.heapGrowthBytes)
    problems.push(`heap grew ${mib(r.memory.heapGrowth)} after GC (limit ${mib(LIMITS.heapGrowthBytes)})`);
}

/** Bytes in MiB, for messages. */
export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** A report with nothing counted yet. */
export function emptyReport(seed: number, messages: number): FuzzReport {
  return {
    seed,
    messages,
    tried: { service: 0, instance: 0, announce: 0, queue: 0 },
    kinds: {},
    crashed: undefined,
    good: {
      requests: 0,
      lost: 0,
      changed: 0,
      jobs: 0,
      jobsLost: 0,
      jobsRepeated: 0,
      events: 0,
      eventsLost: 0,
    },
    rejected: { channels: 0, channelsExpected: [0, 0], queue: 0, queueExpected: [0, 0] },
    forged: {},
    logs: { lines: 0, maxPerSecond: 0, sample: [] },
    memory: { peakRss: 0, peakHeapUsed: 0, heapGrowth: 0 },
    maxEventLoopDelayMs: 0,
    durationMs: 0,
    problems: [],
  };
}
