import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hydra, silentLogger, type RedisConnectionOptions } from '@hydra-nest/core';

/** What a test service does with a request; the default answers 200 with what it received. */
export type TestHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

/** A hydra-nest service for the tests: a core `Hydra` instance and a node:http server on 127.0.0.1. */
export interface TestService {
  name: string;
  hydra: Hydra;
  server: http.Server;
  port: number;
  /** Requests it received, oldest first. */
  received: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
  stop(): Promise<void>;
}

/** Answers 200 with Hydra's response shape, naming the service and echoing the request. */
export function echo(name: string): TestHandler {
  return (req, res, body) => {
    const text = JSON.stringify({
      statusCode: 200,
      statusMessage: 'OK',
      statusDescription: 'Request succeeded without error',
      result: { service: name, method: req.method, url: req.url, body },
    });
    res.writeHead(200, { 'content-type': 'application/json' }).end(text);
  };
}

/** Starts a hydra-nest service publishing `routes`, served by `handler` (default {@link echo}). */
export async function startService(
  redis: RedisConnectionOptions,
  name: string,
  routes: string[],
  handler: TestHandler | { raw: http.RequestListener } = echo(name),
): Promise<TestService> {
  const received: TestService['received'] = [];
  const server = http.createServer((req, res) => {
    if (typeof handler !== 'function') return handler.raw(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const hydra = new Hydra({
    serviceName: name,
    serviceIP: '127.0.0.1',
    servicePort: port,
    serviceVersion: '1.0.0',
    redis,
    routes,
    logger: silentLogger,
  });
  await hydra.start();
  return {
    name,
    hydra,
    server,
    port,
    received,
    async stop() {
      await hydra.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A response read whole. */
export interface TestResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: any;
}

/** One HTTP request on a fresh connection; `body` may be a string or chunks written one by one. */
export function call(
  url: string,
  options: {
    method?: string;
    headers?: http.OutgoingHttpHeaders;
    body?: string | string[];
    chunkDelayMs?: number;
  } = {},
): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode!, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (Array.isArray(body)) {
      void (async () => {
        for (const chunk of body) {
          req.write(chunk);
          if (options.chunkDelayMs) await new Promise((r) => setTimeout(r, options.chunkDelayMs));
        }
        req.end();
      })();
    } else req.end(body);
  });
}
