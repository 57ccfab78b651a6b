/** Lets a warning that may repeat for every message through at most once per `everyMs`. */
export class LogThrottle {
  private last = 0;

  constructor(private readonly everyMs: number) {}

  /** Whether to log now; if so, the next one waits `everyMs`. */
  due(): boolean {
    const now = Date.now();
    if (now - this.last < this.everyMs) return false;
    this.last = now;
    return true;
  }
}
