import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Hydra } from '@hydra-nest/core';
import { resolveDashboardOptions, type DashboardOptions } from './dashboard-options.js';
import { LiveFeed } from './live-feed.js';
import { StatePoller } from './state-poller.js';
import { StaticAssets } from './static-assets.js';

/** The live dashboard, ready to be mounted on any `node:http` server (the router mounts it). */
export interface Dashboard {
  /**
   * Answers a request for the page (`/dashboard`), its files, its live feed (`/dashboard/events`, server-
   * sent events) or its state (`/dashboard/state.json`). Resolves false, without touching `res`, for a
   * path that is not under the dashboard's base path.
   */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Viewers connected to the live feed now. */
  readonly viewers: number;
  /** Whether the shared poll loop runs (only while somebody watches). */
  readonly polling: boolean;
  /** Ends every live feed and stops polling; later feed requests get a 503. */
  close(): Promise<void>;
}

/**
 * Creates the dashboard of the services `hydra` sees: their instances (address, version, uptime, health,
 * last seen, and whether they still answer), routes, queue depths and rates, message rates and the
 * latest flight-recorder entries. All viewers share one poll loop, which reads Redis without SCAN or
 * KEYS and runs only while somebody watches. `hydra` may be a reader (`register: false`).
 *
 * @example
 * const hydra = new Hydra({ serviceName: 'hydra-router', register: false, redis: { url } });
 * await hydra.start();
 * const dashboard = createDashboard(hydra);
 * http.createServer(async (req, res) => {
 *   if (!(await dashboard.handle(req, res))) res.writeHead(404).end();
 * }).listen(8080); // open http://127.0.0.1:8080/dashboard
 */
export function createDashboard(hydra: Hydra, options: DashboardOptions = {}): Dashboard {
  const resolved = resolveDashboardOptions(options);
  const { basePath } = resolved;
  const feed = new LiveFeed(new StatePoller(hydra, resolved, hydra.logger), resolved.intervalMs);
  const assets = new StaticAssets({ basePath, title: resolved.title });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    if (path !== basePath && !path.startsWith(`${basePath}/`)) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { error: `${req.method} is not served here; use GET` }, { allow: 'GET, HEAD' });
      return true;
    }
    const name = path.slice(basePath.length + 1);
    if (name === 'events') feed.join(res);
    else if (name === 'state.json') await sendState(res);
    else if (assets.has(name)) {
      const { body, type } = await assets.get(name);
      res.writeHead(200, {
        'content-type': type,
        'content-length': body.length,
        'cache-control': 'no-cache',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } else sendJson(res, 404, { error: `nothing at ${path}; the dashboard is at ${basePath}` });
    return true;
  }

  async function sendState(res: ServerResponse): Promise<void> {
    try {
      sendJson(res, 200, await feed.current());
    } catch (error) {
      sendJson(res, 503, { error: `Redis could not be read: ${(error as Error).message}` });
    }
  }

  return {
    handle,
    get viewers() {
      return feed.watching;
    },
    get polling() {
      return feed.polling;
    },
    async close() {
      feed.close();
    },
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}
