import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogThrottle } from '../src/log-throttle.js';

describe('LogThrottle', () => {
  afterEach(() => vi.useRealTimers());

  it('lets one line through per period by default, and counts the ones it held back', () => {
    vi.useFakeTimers({ now: 10_000 });
    const throttle = new LogThrottle(1000);
    expect([throttle.due(), throttle.due(), throttle.due()]).toEqual([true, false, false]);
    expect(throttle.takeHeld()).toBe(2);
    expect(throttle.takeHeld()).toBe(0);
    vi.advanceTimersByTime(999);
    expect(throttle.due()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(throttle.due()).toBe(true);
  });

  it('lets a burst through per period when asked to', () => {
    vi.useFakeTimers({ now: 10_000 });
    const throttle = new LogThrottle(1000, 3);
    const seen = Array.from({ length: 5 }, () => throttle.due());
    expect(seen).toEqual([true, true, true, false, false]);
    vi.advanceTimersByTime(1000);
    expect(throttle.due()).toBe(true);
  });
});
