let lastMs = -1;
let lastIso = '';

/**
 * `new Date().toISOString()`, computed at most once per millisecond. Formatting a date costs far more
 * than the rest of building a message, and a busy service stamps many messages in the same millisecond.
 */
export function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}
