import { describe, expect, it } from 'vitest';
import { mib, runFuzz, type FuzzReport } from './runner.js';

// The bounded fuzz campaign of CI; `npm run fuzz -- --seed N --messages M` runs longer ones. A failure
// names its seed: `npm run fuzz -- --seed <seed> --messages <messages>` replays the same payloads.
const SEED = Number(process.env.FUZZ_SEED ?? 16_006);
const MESSAGES = Number(process.env.FUZZ_MESSAGES ?? 3000);

function verdict(report: FuzzReport): string {
  return report.problems.length === 0
    ? 'held'
    : `failed (replay: npm run fuzz -- --seed ${report.seed} --messages ${report.messages}): ` +
        report.problems.slice(0, 8).join(' | ');
}

describe('fuzz: hostile messages on every channel and the queue of a Nest service', () => {
  it(`holds under ${MESSAGES} seeded hostile messages: no crash, no good message lost or changed, rejects counted, logs and memory bounded`, async () => {
    const report = await runFuzz({ seed: SEED, messages: MESSAGES });
    expect(verdict(report)).toBe('held');
    expect(report.crashed).toBeUndefined();
    expect(report.good).toMatchObject({ lost: 0, changed: 0, jobsLost: 0, eventsLost: 0 });
    expect(report.good.requests).toBeGreaterThan(MESSAGES / 10);
    expect(report.rejected.channels).toBeGreaterThan(0);
    expect(report.rejected.queue).toBeGreaterThan(0);
    expect(report.durationMs).toBeLessThan(60_000);
    console.log(
      `fuzz seed ${SEED}: ${MESSAGES} hostile messages in ${(report.durationMs / 1000).toFixed(1)} s, ` +
        `peak heap ${mib(report.memory.peakHeapUsed)}, RSS ${mib(report.memory.peakRss)}`,
    );
  }, 90_000);

  // One campaign with forged replies, read by the two tests below.
  let forged: Promise<FuzzReport> | undefined;
  const forgedRun = () => (forged ??= runFuzz({ seed: SEED, messages: 500, forgeReplies: true }));
  const byForgery = (p: string) => p.startsWith('changed:') || / answered \d+ Forged: /.test(p);

  it('holds under forged replies to requests in flight, but for the answers they change', async () => {
    const report = await forgedRun();
    expect(Object.values(report.forged).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(report.problems.filter((p) => !byForgery(p))).toEqual([]);
  }, 60_000);

  // Forged replies (malformed, or from another service than the one asked) settle requests today: a
  // reply is matched on rmid before it is validated (core/src/messaging/incoming-messages.ts). Expected
  // to pass once a reply settles a request only when it is valid UMF whose frm names the service the
  // request went to; then turn it.fails into it.
  it.fails(
    'never lets a forged reply to a request in flight change its answer',
    async () => {
      const report = await forgedRun();
      expect(report.problems.filter(byForgery)).toEqual([]);
    },
    60_000,
  );
});
