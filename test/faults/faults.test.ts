// The fault suite in its bounded form (each scenario for a few seconds at ~100 requests/s);
// `npm run faults` runs the same scenarios at full size and prints the table of the README.
import { afterAll, describe, expect, it } from 'vitest';
import type { ScenarioResult } from './lib/scenario.js';
import { faultTable } from './lib/table.js';
import { TrackedCalls } from './lib/tracked-calls.js';
import { scenarios } from './scenarios/index.js';

/** A generous bound for every recovery: they take 0.1-2.5 s here, and CI machines are slower. */
const RECOVERY_BOUND_MS = 10_000;
const SCENARIO_TIMEOUT_MS = 60_000;
/** Presence TTL (3 s) plus one presence check of the callers' instance cache (1 s). */
const PRESENCE_NOTICE_MS = 4000;

const results: ScenarioResult[] = [];
afterAll(() => {
  if (results.length > 0) console.log(`fault suite, bounded form:\n${faultTable(results)}`);
});

/** Runs a scenario at its bounded size and checks what every scenario must hold. */
async function runBounded(name: string): Promise<ScenarioResult> {
  const scenario = scenarios.find((s) => s.name === name);
  if (!scenario) throw new Error(`no fault scenario ${name}`);
  const result = await scenario.run('small');
  results.push(result);
  const about = JSON.stringify({ ...result, facts: undefined });
  expect(result.hung, `requests that hung: ${about}`).toBe(0);
  expect(result.untyped, `failures without a typed hydra-nest error: ${about}`).toBe(0);
  expect(result.wrong, `wrong answers: ${about}`).toBe(0);
  expect(result.recoveryMs, `it never recovered: ${about}`).toBeDefined();
  expect(result.recoveryMs!).toBeLessThan(RECOVERY_BOUND_MS);
  expect(result.completed, about).toBeGreaterThan(result.sent / 2);
  return result;
}

describe('the fault suite’s bookkeeping', () => {
  it('counts a call that never settles as hung, and one that fails with a plain Error as untyped', async () => {
    const calls = new TrackedCalls(
      { concurrency: 2, ratePerSecond: 20, durationMs: 100, deadlineMs: 50, hungMarginMs: 50 },
      (n) => (n === 0 ? new Promise<boolean>(() => undefined) : Promise.reject(new Error('plain'))),
    );
    const summary = await calls.run();
    expect(summary).toMatchObject({ hung: 1, completed: 0, untyped: summary.sent - 1 });
    expect(calls.recoveryMs({ startedAt: 0, clearedAt: 0 })).toBeUndefined();
  });
});

describe('fault suite (bounded)', () => {
  it(
    'Redis SIGKILLed and restarted under request-reply load: no request hangs, every failure is a ' +
      'typed error, requests are answered again once Redis is back',
    async () => {
      await runBounded('redis-restart-requests');
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'Redis SIGKILLed and restarted under queue load: no job Redis accepted is lost, and a queueMessage ' +
      'that fails says so with a QueueConnectionError',
    async () => {
      const result = await runBounded('redis-restart-queue');
      expect(result.jobsLost).toBe(0);
      expect(Object.keys(result.failed).filter((name) => name !== 'QueueConnectionError')).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'a service instance SIGKILLed under load: callers stop routing to it within the presence TTL, ' +
      'and its requests in flight are answered by the other instance',
    async () => {
      const result = await runBounded('service-kill');
      expect(result.facts.routedAwayMs).toBeDefined();
      expect(result.facts.routedAwayMs as number).toBeLessThan(PRESENCE_NOTICE_MS + 2000);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'a service instance stopped gracefully under load: callers notice at once, well before the ' +
      'presence TTL, and no request fails',
    async () => {
      const result = await runBounded('service-stop');
      expect(result.facts.routedAwayMs).toBeDefined();
      expect(result.facts.routedAwayMs as number).toBeLessThan(2000);
      expect(result.failed).toEqual({});
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'a slow consumer dropped by Redis for its pub/sub output buffer notices, subscribes again, answers ' +
      'again, and says so in its log and health snapshot',
    async () => {
      const { facts } = await runBounded('slow-consumer');
      expect(facts.drops, 'Redis counted an output-buffer disconnection').toBeGreaterThanOrEqual(1);
      const logs = facts.logs as string[];
      expect(
        logs.some((line) => /^warn subscriber connection .* (closed|lost)/.test(line)),
        logs.join('\n'),
      ).toBe(true);
      expect(
        logs.some((line) => /^log .* subscribed again/.test(line)),
        logs.join('\n'),
      ).toBe(true);
      expect(facts.answersAgain).toBe(true);
      expect(facts.subscriber).toMatchObject({ state: 'ready', losses: 1 });
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'CLIENT PAUSE as a network stall: requests complete after the pause or time out, none hangs',
    async () => {
      const result = await runBounded('client-pause');
      expect(Object.keys(result.failed).filter((name) => name !== 'HydraTimeoutError')).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'the Sentinel master SIGKILLed under load: requests are answered again on the promoted replica',
    async () => {
      await runBounded('sentinel-failover');
    },
    SCENARIO_TIMEOUT_MS,
  );

  it(
    'a Cluster master SIGKILLed under load: its replica takes over and requests are answered again',
    async () => {
      await runBounded('cluster-failover');
    },
    SCENARIO_TIMEOUT_MS,
  );
});
