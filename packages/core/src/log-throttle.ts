/**
 * Lets a warning that may repeat for every message through at most `burst` times (default once) per
 * `everyMs`, and counts the ones it held back, so that a flood of bad input cannot flood the log too.
 *
 * @example
 * const throttle = new LogThrottle(1000);
 * if (throttle.due()) logger.warn(`dropped a bad message [${dropped} so far]`);
 */
export class LogThrottle {
  private windowStart = Number.NEGATIVE_INFINITY;
  private inWindow = 0;
  private held = 0;

  constructor(
    private readonly everyMs: number,
    private readonly burst = 1,
  ) {}

  /** Whether to log now; if so, it counts towards the `burst` of the current `everyMs`. */
  due(): boolean {
    const now = Date.now();
    if (now - this.windowStart >= this.everyMs) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    if (this.inWindow < this.burst) {
      this.inWindow++;
      return true;
    }
    this.held++;
    return false;
  }

  /** How many were held back since the last call (0 at first), for a "(N more not logged)" note. */
  takeHeld(): number {
    const held = this.held;
    this.held = 0;
    return held;
  }
}
