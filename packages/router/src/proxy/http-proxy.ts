import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Hydra, InstanceInfo, LoadBalancing } from '@hydra-nest/core';
import { sendError } from '../http/responses.js';
import type { RouteTable } from '../routing/route-table.js';
import type { RouterStats } from '../admin/router-stats.js';
import { forwardAttempt, type AttemptOutcome } from './forward-attempt.js';

/** Methods whose repetition has the effect of one call (RFC 9110, 9.2.2): safe to send to another instance. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);
/** Attempts per request at most, whatever the number of instances. */
const MAX_ATTEMPTS = 5;

/** Limits and choices of the HTTP proxy; see `HydraRouterOptions` for each. */
export interface HttpProxyOptions {
  timeoutMs: number;
  maxBodyBytes: number;
  pathPrefix: string;
  loadBalancing: LoadBalancing;
  maxSocketsPerInstance: number;
}

/**
 * Routes HTTP requests to the instances of the services whose published routes match them: the route
 * table and the instance cache are in memory, so a request costs no Redis round trip. Bodies stream
 * both ways over pooled keep-alive connections.
 *
 * Failures: 404 when no service publishes the path, 405 when routes match it for other methods only,
 * 413 for a body over the limit, 503 when no instance is present (or none could be reached), 504 when
 * the instance did not answer in time, 502 when its connection broke after the request was sent. An
 * instance that cannot be reached is dropped from the cache and the next one is tried (the request was
 * not sent); after a broken connection the request goes to another instance only when that is safe
 * (an idempotent method whose body, if any, was not read yet).
 */
export class HttpProxy {
  private readonly agent: http.Agent;

  constructor(
    private readonly hydra: Hydra,
    private readonly table: RouteTable,
    private readonly stats: RouterStats,
    private readonly options: HttpProxyOptions,
  ) {
    this.agent = new http.Agent({
      keepAlive: true,
      maxSockets: options.maxSocketsPerInstance,
      maxFreeSockets: options.maxSocketsPerInstance,
      scheduling: 'lifo',
    });
  }

  /** Closes the pooled connections. */
  close(): void {
    this.agent.destroy();
  }

  /** Routes one request; always answers it (or cuts it, when a streamed response broke). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    let path = query < 0 ? url : url.slice(0, query);
    const { pathPrefix } = this.options;
    if (pathPrefix) {
      if (path !== pathPrefix && !path.startsWith(`${pathPrefix}/`)) {
        return this.refuse(req, res, 404, `${path} is outside this router's prefix ${pathPrefix}`);
      }
      path = path.slice(pathPrefix.length) || '/';
    }
    const lookup = this.table.lookup(method, path);
    if (lookup.kind === 'not-found') {
      return this.refuse(req, res, 404, `no service publishes a route for ${method} ${path}`);
    }
    if (lookup.kind === 'method-not-allowed') {
      if (method === 'OPTIONS') {
        // A preflight or capability probe on a routed path that no service answers itself.
        req.resume();
        res.writeHead(204, { allow: `${lookup.allow.join(', ')}, OPTIONS` }).end();
        return;
      }
      return this.refuse(
        req,
        res,
        405,
        `no service publishes ${method} ${path}; its routes answer ${lookup.allow.join(', ')}`,
        { allow: lookup.allow.join(', ') },
      );
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > this.options.maxBodyBytes) {
      return this.refuse(req, res, 413, this.tooLarge(`${declared} bytes`));
    }
    const service = await this.chooseService(lookup.matches.map((m) => m.service));
    this.stats.http.count(service);
    const forwardedPath = pathPrefix ? path + (query < 0 ? '' : url.slice(query)) : url;
    const status = await this.forward(req, res, service, forwardedPath, started + this.options.timeoutMs);
    if (status >= 400) this.stats.errors.count(service);
  }

  /** Of the services whose routes match equally well, the first with an instance present. */
  private async chooseService(services: string[]): Promise<string> {
    const unique = [...new Set(services)];
    for (const service of unique) {
      const instances = this.hydra.instances.peek(service) ?? (await this.hydra.instances.watch(service));
      if (instances.length > 0) return service;
    }
    return unique[0]!;
  }

  /** Tries the instances of `service` until one answers or nothing safe is left; returns the status sent. */
  private async forward(
    req: IncomingMessage,
    res: ServerResponse,
    service: string,
    path: string,
    deadline: number,
  ): Promise<number> {
    const method = req.method ?? 'GET';
    const hasBody =
      Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const retrySafe = IDEMPOTENT.has(method);
    const tried = new Set<string>();
    let fresh = false;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const instance: InstanceInfo | undefined = this.hydra.instances.pick(
        service,
        this.options.loadBalancing,
        tried,
      );
      if (!instance) break;
      tried.add(instance.instanceID);
      const outcome: AttemptOutcome = await forwardAttempt(req, res, {
        host: instance.ip,
        port: Number(instance.port),
        agent: fresh ? false : this.agent,
        deadline,
        idleMs: this.options.timeoutMs,
        maxBodyBytes: this.options.maxBodyBytes,
        hasBody,
        path,
      });
      fresh = false;
      switch (outcome.kind) {
        case 'responded':
          return outcome.statusCode;
        case 'client-gone':
          return 499;
        case 'too-large':
          this.refuse(req, res, 413, this.tooLarge(`more than ${this.options.maxBodyBytes} bytes`));
          return 413;
      }
      const where = `${service} instance ${instance.instanceID} (${instance.ip}:${instance.port})`;
      if (outcome.failure === 'unreachable') {
        this.hydra.instances.markGone(service, instance.instanceID);
        continue; // nothing was sent
      }
      if (outcome.failure === 'timeout') {
        sendError(
          res,
          504,
          `${where} did not answer ${method} ${path} within ${this.options.timeoutMs} ms; ` +
            'raise the router timeout for slow routes, or check the instance',
        );
        return 504;
      }
      if (!outcome.bodyTouched && (retrySafe || outcome.keptAlive)) {
        // An idle pooled connection the instance had closed, or a safe method: send it again.
        if (outcome.keptAlive) {
          tried.delete(instance.instanceID);
          fresh = true;
        }
        continue;
      }
      sendError(
        res,
        502,
        `${where} closed the connection after ${method} ${path} was sent, before it answered ` +
          `(${outcome.error.message}); not sent again because it may have run`,
      );
      return 502;
    }
    const reason = tried.size
      ? `An instance of ${service} is unavailable: none of the ${tried.size} tried could be reached`
      : `Unavailable ${service} instances: none is present`;
    sendError(res, 503, reason);
    return 503;
  }

  private tooLarge(size: string): string {
    return (
      `the request body (${size}) is over the router's limit of ${this.options.maxBodyBytes} bytes; ` +
      'send less, or raise the limit (--max-body)'
    );
  }

  /** Answers with an error before anything was sent to an instance; an unread body closes the connection. */
  private refuse(
    req: IncomingMessage,
    res: ServerResponse,
    statusCode: number,
    reason: string,
    headers: Record<string, string> = {},
  ): void {
    if (!req.complete) {
      headers.connection = 'close';
      req.resume(); // drain what is in flight so the client reads the answer instead of a reset
    }
    sendError(res, statusCode, reason, headers);
  }
}
