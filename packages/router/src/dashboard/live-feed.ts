import type { ServerResponse } from 'node:http';
import type { DashboardState } from './dashboard-state.js';
import { diffStates } from './state-diff.js';
import type { StatePoller } from './state-poller.js';

/** A viewer that has this much unsent feed buffered is too slow to follow and is dropped (it reconnects). */
const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * The one poll loop all viewers share, and their server-sent-events streams. The loop runs only while
 * at least one viewer is connected: the first one starts it, the last one to leave stops it. Each
 * viewer gets the whole state when it connects (`event: state`), then after every read what changed
 * (`event: patch`, see `DashboardPatch`), which also tells it that the server is alive.
 */
export class LiveFeed {
  private readonly viewers = new Set<ServerResponse>();
  private latest: DashboardState | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Bumped at each start and stop, so a read that finishes after a stop is dropped. */
  private session = 0;
  private closed = false;
  private running = false;

  constructor(
    private readonly poller: StatePoller,
    private readonly intervalMs: number,
  ) {}

  /** Viewers connected now. */
  get watching(): number {
    return this.viewers.size;
  }

  /** Whether the poll loop runs (somebody watches). */
  get polling(): boolean {
    return this.running;
  }

  /** Takes a viewer's request: answers with the event stream and keeps it until the viewer goes. */
  join(res: ServerResponse): void {
    if (this.closed) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'the dashboard is closed' }));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no', // proxies such as nginx must not hold the stream back
    });
    res.write(`retry: 2000\n\n`);
    this.viewers.add(res);
    res.once('close', () => this.leave(res)); // the viewer went away, or close() ended the stream
    if (this.latest) send(res, 'state', this.latest);
    if (this.viewers.size === 1) this.start();
  }

  /** The latest state while the loop runs, else one read made now. */
  async current(): Promise<DashboardState> {
    return this.latest ?? this.poller.read();
  }

  /** Ends every stream and stops the loop for good. */
  close(): void {
    this.closed = true;
    for (const res of [...this.viewers]) res.end();
    this.viewers.clear();
    this.stop();
  }

  private leave(res: ServerResponse): void {
    if (!this.viewers.delete(res)) return;
    if (this.viewers.size === 0) this.stop();
  }

  private start(): void {
    const session = ++this.session;
    this.running = true;
    // The first read does not wait for the message subscription: rates join once it is confirmed.
    void this.poller.open();
    void this.tick(session);
  }

  private stop(): void {
    this.session++;
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.latest = undefined; // the next viewer gets a fresh read, not an old one
    this.poller.close();
  }

  private async tick(session: number): Promise<void> {
    this.timer = undefined;
    const startedAt = Date.now();
    let next: DashboardState;
    try {
      next = await this.poller.read();
    } catch (error) {
      const reason = `Redis could not be read: ${(error as Error).message}`;
      next = this.latest
        ? { ...this.latest, at: Date.now(), error: reason }
        : {
            at: Date.now(),
            intervalMs: this.intervalMs,
            messageRates: false,
            services: [],
            log: [],
            error: reason,
          };
    }
    if (session !== this.session) return; // the last viewer left meanwhile
    this.publish(next);
    const wait = Math.max(0, this.intervalMs - (Date.now() - startedAt));
    this.timer = setTimeout(() => void this.tick(session), wait);
  }

  private publish(next: DashboardState): void {
    const before = this.latest;
    this.latest = next;
    const [event, data] = before ? ['patch', diffStates(before, next)] : ['state', next];
    const frame = frameOf(event, data);
    for (const res of this.viewers) {
      if (res.writableLength > MAX_BUFFERED_BYTES) res.destroy();
      else res.write(frame);
    }
  }
}

function frameOf(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function send(res: ServerResponse, event: string, data: unknown): void {
  res.write(frameOf(event, data));
}
