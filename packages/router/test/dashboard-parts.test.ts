import { describe, expect, it } from 'vitest';
import { resolveDashboardOptions } from '../src/dashboard/dashboard-options.js';
import type { DashboardState, ServiceView } from '../src/dashboard/dashboard-state.js';
import { RateMeter } from '../src/dashboard/rate-meter.js';
import { diffStates } from '../src/dashboard/state-diff.js';

describe('RateMeter', () => {
  it('gives the change per second over its window, signed, and 0 for a first sample', () => {
    const meter = new RateMeter(3000);
    expect(meter.rate('q', 10, 0)).toBe(0);
    expect(meter.rate('q', 30, 1000)).toBe(20);
    expect(meter.rate('q', 40, 2000)).toBe(15);
    expect(meter.rate('q', 40, 3000)).toBe(10); // (40 - 10) over 3 s
    expect(meter.rate('q', 40, 4000)).toBe(3.3); // the window moved past the first sample: (40 - 30) / 3
    expect(meter.rate('q', 0, 5000)).toBe(-13); // draining: (0 - 40) / 3
  });

  it('forgets keys not sampled in a round', () => {
    const meter = new RateMeter(3000);
    meter.rate('gone', 100, 0);
    meter.endRound();
    meter.endRound(); // a round without it
    expect(meter.rate('gone', 0, 1000)).toBe(0); // a first sample again, not -100/s
  });
});

const service = (name: string, queued = 0): ServiceView => ({
  name,
  instances: [],
  routes: [],
  queue: { queued, inProgress: 0, incomplete: 0, delayed: 0, queuedPerSec: 0, deadLettersPerSec: 0 },
  messagesPerSec: 0,
});

const state = (at: number, services: ServiceView[], extra: Partial<DashboardState> = {}): DashboardState => ({
  at,
  intervalMs: 1000,
  messageRates: true,
  services,
  log: [],
  ...extra,
});

describe('diffStates', () => {
  it('sends only the services that changed or appeared, and names those that went', () => {
    const before = state(1, [service('a'), service('b'), service('c')]);
    const after = state(2, [service('a'), service('b', 5), service('d')]);
    const patch = diffStates(before, after);
    expect(patch.at).toBe(2);
    expect(patch.upsert.map((s) => s.name)).toEqual(['b', 'd']);
    expect(patch.remove).toEqual(['c']);
    expect(patch.log).toBeUndefined();
    expect(patch).not.toHaveProperty('error');
  });

  it('carries the log when it changed, and the error as it comes and goes', () => {
    const entry = { ts: '2026-01-01T00:00:00.000Z', service: 'a', instanceId: 'i', type: 'info', msg: 'hi' };
    const failing = diffStates(
      state(1, []),
      state(2, [], { log: [entry], error: 'Redis could not be read' }),
    );
    expect(failing.log).toEqual([entry]);
    expect(failing.error).toBe('Redis could not be read');
    const back = diffStates(state(2, [], { error: 'Redis could not be read' }), state(3, []));
    expect(back.error).toBeNull();
  });
});

describe('resolveDashboardOptions', () => {
  it('fills in defaults and trims a trailing slash of the base path', () => {
    expect(resolveDashboardOptions({ basePath: '/ops/' })).toMatchObject({
      basePath: '/ops',
      intervalMs: 1000,
      logEntries: 30,
      messageRates: true,
    });
  });

  it('names the option that is wrong', () => {
    expect(() => resolveDashboardOptions({ basePath: 'ops' })).toThrow(/basePath "ops"/);
    expect(() => resolveDashboardOptions({ intervalMs: 10 })).toThrow(/intervalMs is 10.*at least 50/);
    expect(() => resolveDashboardOptions({ logEntries: -1 })).toThrow(/logEntries is -1/);
  });
});
