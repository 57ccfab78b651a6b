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

  // A third party sniffs the requests and publishes forged replies ahead of the real ones: malformed
  // UMF, or naming another service than the one asked. A reply settles a request only when it is valid
  // and comes from that service, so none may change an answer. (A well-formed forgery naming the right
  // service needs signing to be refused, and is not sent.)
  it('never lets a forged reply to a request in flight change its answer', async () => {
    const report = await runFuzz({ seed: SEED, messages: 500, forgeReplies: true });
    expect(Object.values(report.forged).reduce((a, b) => a + b, 0)).toBeGreaterThan(report.good.requests / 2);
    expect(verdict(report)).toBe('held');
  }, 60_000);
});
