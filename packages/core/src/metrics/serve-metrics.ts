import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { register as globalRegistry, type Registry } from 'prom-client';

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  /** Port to listen on; 0 picks a free one. */
  port: number;
  /** Interface to listen on. Default: every interface (Node's default). */
  host?: string;
  /** Path of the exposition. Default `/metrics`. */
  path?: string;
  /** Registry to expose. Default: prom-client's global `register`. */
  registry?: Registry;
}

/** A metrics server started by {@link serveMetrics}. */
export interface MetricsServer {
  readonly server: Server;
  /** The port it listens on (the one chosen, when given 0). */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * A Node `http` request listener that answers a scrape with the registry's metrics, for a server of
 * your own. It answers every request it is given: route only the metrics path to it.
 *
 * @example
 * const handle = metricsHandler();
 * http.createServer((req, res) => (req.url === '/metrics' ? handle(req, res) : app(req, res)));
 */
export function metricsHandler(
  registry: Registry = globalRegistry,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      },
      (error: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`metrics could not be collected: ${error.message}\n`);
      },
    );
  };
}

/**
 * Serves the registry's metrics on a port of their own (`GET /metrics`; anything else is a 404), for
 * a process that has no HTTP server, or keeps metrics off its public one.
 *
 * @example
 * collectHydraMetrics(hydra);
 * const metrics = await serveMetrics({ port: 9464 });
 * // ...
 * await metrics.close();
 */
export function serveMetrics(options: ServeMetricsOptions): Promise<MetricsServer> {
  const path = options.path ?? '/metrics';
  const handle = metricsHandler(options.registry);
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === path && (req.method === 'GET' || req.method === 'HEAD')) return handle(req, res);
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`not found: metrics are served at ${path}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
