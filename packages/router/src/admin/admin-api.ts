import type { IncomingMessage, ServerResponse } from 'node:http';
import { ServiceUnavailableError, WorkQueue, type Hydra } from '@hydra-nest/core';
import { createMessage, parseRoute, type UmfMessage } from '@hydra-nest/umf';
import { BodyTooLargeError, readBody } from '../http/read-body.js';
import { sendError, sendStatus } from '../http/responses.js';
import type { RouteSync } from '../routing/route-sync.js';
import type { RouteTable } from '../routing/route-table.js';
import { adminRefusal, type AdminAccessOptions } from './admin-access.js';
import { AdminReads } from './admin-reads.js';
import type { RouterStats } from './router-stats.js';

/** The admin API's routes, published in the router's route set as hydra-router publishes its own. */
export const ADMIN_ROUTES = [
  '[get]/v1/router/health',
  '[get]/v1/router/version',
  '[get]/v1/router/list/:thing',
  '[get]/v1/router/refresh',
  '[get]/v1/router/refresh/:service',
  '[get]/v1/router/stats',
  '[get]/v1/router/clear',
  '[post]/v1/router/message',
  '[post]/v1/router/send',
  '[post]/v1/router/queue',
];

const PREFIX = '/v1/router/';

/** What the admin API reads and acts on. */
export interface AdminApiContext {
  hydra: Hydra;
  table: RouteTable;
  sync: RouteSync;
  stats: RouterStats;
  version: string;
  access: AdminAccessOptions;
  maxBodyBytes: number;
  timeoutMs: number;
}

type PostHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * hydra-router's admin API under `/v1/router/`, with its response shapes (Hydra's
 * `{statusCode, statusMessage, statusDescription, result}`), so its tooling and scripts keep working.
 * Only callers on this host may use it, unless a token is configured: then every caller must give it.
 */
export class AdminApi {
  /** The GET side, also answering the WebSocket gateway's router requests. */
  readonly reads: AdminReads;
  private readonly post: Record<string, PostHandler>;

  constructor(private readonly ctx: AdminApiContext) {
    this.reads = new AdminReads(ctx);
    this.post = {
      message: (req, res) => this.forwardMessage(req, res),
      send: (req, res) => this.sendMessage(req, res),
      queue: (req, res) => this.queueMessage(req, res),
    };
  }

  /** Serves `req` when it is an admin call; false when the path is not under `/v1/router/`. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = req.url ?? '/';
    if (!url.startsWith(PREFIX)) return false;
    const query = url.indexOf('?');
    const path = url.slice(PREFIX.length, query < 0 ? undefined : query);
    const refusal = adminRefusal(
      req,
      new URLSearchParams(query < 0 ? '' : url.slice(query + 1)),
      this.ctx.access,
    );
    if (refusal) {
      req.resume();
      sendError(res, 403, refusal);
      return true;
    }
    const slash = path.indexOf('/');
    const name = slash < 0 ? path : path.slice(0, slash);
    const rest = slash < 0 ? '' : path.slice(slash + 1);
    const isGet = req.method === 'GET' || req.method === 'HEAD';
    try {
      if (isGet && this.reads.serves(name)) {
        req.resume();
        const answer = await this.reads.answer(name, rest);
        if (!answer) sendError(res, 404, `the router's admin API has no /v1/router/${path}`);
        else if (answer.location) res.writeHead(answer.statusCode, { location: answer.location }).end();
        else sendStatus(res, answer.statusCode, answer.result, { extra: answer.extra });
        return true;
      }
      const post = Object.hasOwn(this.post, name) ? this.post[name] : undefined;
      if (req.method === 'POST' && post) {
        await post(req, res);
        return true;
      }
      req.resume();
      const other = this.reads.serves(name) ? 'GET' : post ? 'POST' : undefined;
      if (other) {
        sendError(res, 405, `${req.method} /v1/router/${name} is not served; use ${other}`, { allow: other });
      } else sendError(res, 404, `the router's admin API has no /v1/router/${path}`);
    } catch (error) {
      if (error instanceof BodyTooLargeError) sendError(res, 413, error.message);
      else sendError(res, 500, `/v1/router/${path} failed: ${(error as Error).message}`);
    }
    return true;
  }

  /** hydra-router's `message`: an HTTP call (makeAPIRequest) to the message's `fwd` route with its body. */
  private async forwardMessage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const umf = await this.readMessage(req, res);
    if (!umf) return;
    if (!umf.fwd)
      return sendError(
        res,
        400,
        'the UMF message needs "fwd": the route to call, e.g. "users-svc:[get]/v1/users"',
      );
    const { hydra } = this.ctx;
    const data = await hydra.messaging.makeAPIRequest(
      { to: umf.fwd, frm: `${hydra.instanceId}@${hydra.serviceName}:/`, bdy: umf.bdy },
      { timeoutMs: this.ctx.timeoutMs },
    );
    sendStatus(res, data.statusCode, data.result);
  }

  /** hydra-router's `send`: publishes the message to an instance of its `to` service; answers its `mid`. */
  private async sendMessage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const umf = await this.readMessage(req, res);
    if (!umf) return;
    try {
      const sent = await this.ctx.hydra.messaging.sendMessage(umf);
      sendStatus(res, 200, { mid: sent.mid });
    } catch (error) {
      if (error instanceof ServiceUnavailableError) sendError(res, 503, error.message);
      else throw error;
    }
  }

  /** hydra-router's `queue`: queues the message for its `to` service; answers its `mid`. */
  private async queueMessage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const umf = await this.readMessage(req, res);
    if (!umf) return;
    const queued = await new WorkQueue(this.ctx.hydra).queueMessage(umf);
    sendStatus(res, 200, { mid: queued.mid });
  }

  /** The request's UMF message, counted for its service; undefined after answering 400. */
  private async readMessage(req: IncomingMessage, res: ServerResponse): Promise<UmfMessage | undefined> {
    const text = await readBody(req, this.ctx.maxBodyBytes);
    let message: UmfMessage;
    try {
      message = createMessage(JSON.parse(text));
      if (!message.to || !message.bdy) throw new Error('it needs "to" and "body" (or "bdy")');
      this.ctx.stats.http.count(parseRoute(message.to).service);
    } catch (error) {
      sendError(res, 400, `the body is not a UMF message: ${(error as Error).message}`);
      return undefined;
    }
    if (!message.frm) message.frm = `${this.ctx.hydra.serviceName}:/`;
    return message;
  }
}
