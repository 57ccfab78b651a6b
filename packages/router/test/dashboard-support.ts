import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hydra, silentLogger, type HydraOptions } from '@hydra-nest/core';
import type { TestTopology } from '../../../test/harness/topology.js';
import type { Dashboard } from '../src/index.js';

/** A started Hydra instance that reads the registry without registering itself, as a dashboard's is. */
export async function startReader(topology: TestTopology): Promise<Hydra> {
  const reader = new Hydra({
    serviceName: 'dashboard-reader',
    register: false,
    redis: topology.redis,
    logger: silentLogger,
  });
  await reader.start();
  return reader;
}

/** A `node:http` server that serves only `dashboard` (404 for everything else), on a free loopback port. */
export async function serveDashboard(dashboard: Dashboard): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    dashboard.handle(req, res).then(
      (handled) => (handled ? undefined : res.writeHead(404).end('not the dashboard')),
      (error: Error) => res.writeHead(500).end(error.message),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Started `Hydra` instances on the test's Redis, stopped by `stopAll()`. */
export class Instances {
  private readonly started: Hydra[] = [];

  constructor(private readonly topology: TestTopology) {}

  async start(options: Partial<HydraOptions> & { serviceName: string }): Promise<Hydra> {
    const hydra = new Hydra({
      serviceIP: '127.0.0.1',
      servicePort: 0,
      logger: silentLogger,
      redis: this.topology.redis,
      ...options,
    });
    await hydra.start();
    this.started.push(hydra);
    return hydra;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.started.splice(0).map((h) => h.stop()));
  }
}

/** One server-sent event. */
export interface FeedEvent {
  event: string;
  data: any;
}

/** A client of the dashboard's live feed that collects its events. */
export interface FeedClient {
  events: FeedEvent[];
  /** Resolves the next event of type `event` (after those already collected), within `timeoutMs`. */
  next(event: string, timeoutMs?: number): Promise<FeedEvent>;
  close(): void;
}

/** Connects to `url` (the feed) and parses its stream. */
export function openFeed(url: string): Promise<FeedClient> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`feed answered ${res.statusCode}`));
        return;
      }
      const events: FeedEvent[] = [];
      const waiters: Array<() => void> = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
        for (const wake of waiters.splice(0)) wake();
      });
      let seen = 0;
      resolve({
        events,
        next(event, timeoutMs = 5000) {
          return new Promise((found, fail) => {
            const timer = setTimeout(
              () => fail(new Error(`no ${event} event within ${timeoutMs} ms`)),
              timeoutMs,
            );
            const look = () => {
              while (seen < events.length) {
                const candidate = events[seen++]!;
                if (candidate.event === event) {
                  clearTimeout(timer);
                  found(candidate);
                  return;
                }
              }
              waiters.push(look);
            };
            look();
          });
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}
