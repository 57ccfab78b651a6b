import http from 'node:http';
import { createMessage, parseRoute, type UmfInput, type UmfRoute } from '@hydra-nest/umf';
import type { LoadBalancing } from '../instance-cache.js';
import { errorBody } from './error-replies.js';
import { attemptHttp, type HttpAttemptRequest } from './http-attempt.js';
import type { MessagingContext } from './messaging-context.js';

/** Options of one HTTP call through discovery. */
export interface ApiRequestOptions {
  /** Socket timeout, ms. Default: the message's `tmo` (seconds), else 30 000 as in Hydra. */
  timeoutMs?: number;
  /** How the instance is chosen. Default: the messaging option, else `'round-robin'`. */
  loadBalancing?: LoadBalancing;
}

/** What `makeAPIRequest` resolves: Hydra's status object merged with the JSON reply, and the headers. */
export interface ApiResponse {
  statusCode: number;
  statusMessage?: string;
  statusDescription?: string;
  result?: unknown;
  headers?: http.IncomingHttpHeaders;
  /** The raw body when the reply was not JSON. */
  payLoad?: string;
  [key: string]: unknown;
}

const WITH_BODY = new Set(['post', 'put', 'patch']);
/** Methods whose repetition has the effect of one call (RFC 9110, 9.2.2): safe to send again elsewhere. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'TRACE']);

function status(statusCode: number, reason: string): ApiResponse {
  const { statusMessage, statusDescription } = errorBody(statusCode, 'Error', reason);
  return { statusCode, statusMessage, statusDescription, result: { reason } };
}

/**
 * Calls `to` = `service:[method]/path` over HTTP on a present instance (the named one, else chosen by
 * load balancing). Like Hydra, it never rejects for service errors: it resolves the response, a 400 for
 * a bad `to`, or a 503 when no instance answered.
 *
 * It tries another instance only when the request cannot have run there, or when running it twice does
 * no harm: the connection was refused (that instance is then dropped from the cache), a kept-alive
 * connection was closed before the request was written (sent again on a new connection), or the method
 * is idempotent (GET, HEAD, PUT, DELETE, OPTIONS, TRACE). A POST or PATCH that got no response in time
 * resolves a 504, and one whose connection broke after it was sent a 502: neither is sent again.
 */
export async function makeApiRequest(
  ctx: Pick<MessagingContext, 'instances' | 'discovery'>,
  input: UmfInput,
  options: ApiRequestOptions = {},
): Promise<ApiResponse> {
  const message = createMessage(input);
  if (!message.to || !message.frm || message.bdy === undefined) {
    return status(400, 'UMF message requires "to", "from" and "body" fields');
  }
  let route: UmfRoute;
  try {
    route = parseRoute(message.to);
  } catch (error) {
    return status(400, (error as Error).message);
  }
  if (!route.method) return status(400, 'HTTP method not specified in `to` field');
  if (!route.path) return status(400, 'HTTP path not specified in `to` field');

  const cache = ctx.instances;
  try {
    if (!cache.isWatched(route.service)) await cache.watch(route.service);
  } catch (error) {
    return status(
      503,
      `Unavailable ${route.service} instances (discovery failed: ${(error as Error).message})`,
    );
  }
  const tried = new Set<string>();
  const timeoutMs = options.timeoutMs ?? (message.tmo ? message.tmo * 1000 : 30_000);
  const request = toHttpRequest(route, message, timeoutMs);
  const idempotent = IDEMPOTENT.has(request.method);
  // Once a kept-alive connection turned out closed, the others to the same servers may be too.
  let freshConnection = false;
  for (;;) {
    const instance = route.instance
      ? tried.has(route.instance)
        ? undefined
        : (cache.get(route.service, route.instance) ??
          (await ctx.discovery.instances(route.service)).find((i) => i.instanceID === route.instance))
      : cache.pick(route.service, options.loadBalancing, tried);
    if (!instance) {
      return status(
        503,
        tried.size
          ? `An instance of ${route.service} is unavailable`
          : `Unavailable ${route.service} instances`,
      );
    }
    tried.add(instance.instanceID);
    const target = { host: instance.ip, port: Number(instance.port) };
    const attempt = await attemptHttp({
      ...request,
      ...target,
      freshConnection,
      checkKeptAlive: !idempotent,
    });
    if (attempt.ok) return toApiResponse(attempt.statusCode, attempt.headers, attempt.text);

    const { failure } = attempt;
    if (failure === 'unreachable') {
      cache.markGone(route.service, instance.instanceID);
      continue;
    }
    // A kept-alive connection the server had closed while idle, found before the request was written
    // (or, for an idempotent one, reset before any response): the same instance may well answer.
    const closedWhileIdle =
      idempotent && failure === 'reset' && attempt.reusedSocket && !attempt.responseStarted;
    if (failure === 'not-sent' || closedWhileIdle) {
      freshConnection = true;
      tried.delete(instance.instanceID);
      continue;
    }
    if (!idempotent) {
      return notRetried(failure, route, instance.instanceID, target, request.method, timeoutMs);
    }
  }
}

/** The method, path, headers and body Hydra sends for a UMF message (see `makeAPIRequest` in Hydra). */
function toHttpRequest(
  route: UmfRoute,
  message: ReturnType<typeof createMessage>,
  timeoutMs: number,
): Omit<HttpAttemptRequest, 'host' | 'port'> {
  const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
  let body: string | undefined;
  if (WITH_BODY.has(route.method!)) {
    body = JSON.stringify(message.bdy);
    headers['content-type'] = 'application/json';
    headers['content-length'] = Buffer.byteLength(body);
  }
  Object.assign(headers, message.hdr as http.OutgoingHttpHeaders | undefined);
  if (message.aut) headers.authorization = message.aut;
  return { method: route.method!.toUpperCase(), path: route.path, headers, body, timeoutMs };
}

/** Hydra's status object merged with a JSON object reply; any other JSON is the result, text the `payLoad`. */
function toApiResponse(statusCode: number, headers: http.IncomingHttpHeaders, text: string): ApiResponse {
  const base: ApiResponse = { ...status(statusCode, ''), result: {}, statusCode, headers };
  if (String(headers['content-type']).includes('json')) {
    try {
      const json: unknown = JSON.parse(text);
      if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
        return { ...base, ...json, headers };
      }
      return { ...base, result: json };
    } catch {
      // fall through: keep the raw text
    }
  }
  return { ...base, payLoad: text };
}

/** The 504 or 502 of a non-idempotent request that may have run, so was not sent again. */
function notRetried(
  failure: 'timeout' | 'reset',
  route: UmfRoute,
  instanceId: string,
  target: { host: string; port: number },
  method: string,
  timeoutMs: number,
): ApiResponse {
  const where = `${route.service} instance ${instanceId} (${target.host}:${target.port})`;
  const what =
    failure === 'timeout'
      ? `no response from ${where} to ${method} ${route.path} within ${timeoutMs} ms`
      : `${where} closed the connection after ${method} ${route.path} was sent, before it answered`;
  return status(
    failure === 'timeout' ? 504 : 502,
    `${what}; not retried on another instance because ${method} is not idempotent and the request may ` +
      'have run. Raise timeoutMs (or the tmo of the message) for slow handlers, or check the instance.',
  );
}
