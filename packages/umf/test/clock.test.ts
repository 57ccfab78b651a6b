import { describe, expect, it } from 'vitest';
import { isoNow, isoTimestamp } from '../src/clock.js';

describe('isoTimestamp', () => {
  it('gives the text Date#toISOString gives, within a second, across seconds, days and years', () => {
    const starts = [
      Date.UTC(2026, 11, 31, 23, 59, 59, 0), // across a year
      Date.UTC(2024, 1, 28, 23, 59, 58, 990), // a leap day
      0,
      -1_500, // before the epoch
      Date.UTC(2026, 5, 1, 12, 0, 0, 0),
    ];
    for (const start of starts) {
      for (let ms = start; ms < start + 2_100; ms += 7) {
        expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
      }
      // Going back in time (a clock step) must not reuse the later second's text.
      expect(isoTimestamp(start)).toBe(new Date(start).toISOString());
    }
  });

  it('pads milliseconds below 10 and 100', () => {
    const second = Date.UTC(2026, 0, 2, 3, 4, 5, 0);
    expect(isoTimestamp(second + 5)).toBe('2026-01-02T03:04:05.005Z');
    expect(isoTimestamp(second + 42)).toBe('2026-01-02T03:04:05.042Z');
    expect(isoTimestamp(second + 999)).toBe('2026-01-02T03:04:05.999Z');
  });

  it('throws for a time Date cannot represent, as Date#toISOString does', () => {
    expect(() => isoTimestamp(Number.NaN)).toThrow(RangeError);
  });
});

describe('isoNow', () => {
  it('is the current time', () => {
    const before = Date.now();
    const now = Date.parse(isoNow());
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});
