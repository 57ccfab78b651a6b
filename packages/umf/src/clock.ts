let cachedSecond = Number.NaN;
/** `YYYY-MM-DDTHH:mm:ss.` of `cachedSecond`: everything of the ISO text but the milliseconds. */
let cachedPrefix = '';

/**
 * The text `new Date(ms).toISOString()` gives, formatting a date only once per second: V8 formats
 * each date with printf, about 7,000 instructions per message (7% of what a server spent on a ~100 B
 * request, measured with callgrind). The milliseconds are appended to the second's cached text.
 */
export function isoTimestamp(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const iso = new Date(second * 1000).toISOString(); // throws RangeError for an invalid time, as Date does
    cachedSecond = second;
    cachedPrefix = iso.slice(0, iso.length - 4); // "...:ss." without "000Z"
  }
  const millis = ms - second * 1000;
  return cachedPrefix + (millis < 10 ? '00' : millis < 100 ? '0' : '') + millis + 'Z';
}

/** `new Date().toISOString()`, cheaply: see {@link isoTimestamp}. */
export function isoNow(): string {
  return isoTimestamp(Date.now());
}
