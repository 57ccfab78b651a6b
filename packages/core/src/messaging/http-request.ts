import http from 'node:http';
import { createMessage, parseRoute, type UmfInput, type UmfRoute } from '@hydra-nest/umf';
import type { LoadBalancing } from '../instance-cache.js';
import { errorBody } from './error-replies.js';
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

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const WITH_BODY = new Set(['post', 'put', 'patch']);

function status(statusCode: number, reason: string): ApiResponse {
  const { statusMessage, statusDescription } = errorBody(statusCode, 'Error', reason);
  return { statusCode, statusMessage, statusDescription, result: { reason } };
}

/**
 * Calls `to` = `service:[method]/path` over HTTP on a present instance (the named one, else chosen by
 * load balancing), trying the other instances when one cannot be reached. Like Hydra, it never rejects
 * for service errors: it resolves the response, a 400 for a bad `to`, or a 503 when no instance answered.
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
    try {
      return await call(instance.ip, Number(instance.port), route, message, timeoutMs);
    } catch {
      cache.markGone(route.service, instance.instanceID);
    }
  }
}

function call(
  host: string,
  port: number,
  route: UmfRoute,
  message: ReturnType<typeof createMessage>,
  timeoutMs: number,
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    const method = route.method!.toUpperCase();
    let body: string | undefined;
    if (WITH_BODY.has(route.method!)) {
      body = JSON.stringify(message.bdy);
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(body);
    }
    Object.assign(headers, message.hdr as http.OutgoingHttpHeaders | undefined);
    if (message.aut) headers.authorization = message.aut;
    const request = http.request(
      { host, port, method, path: route.path, headers, agent, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const statusCode = res.statusCode ?? 0;
          const base: ApiResponse = {
            ...status(statusCode, ''),
            result: {},
            statusCode,
            headers: res.headers,
          };
          if (String(res.headers['content-type']).includes('json')) {
            try {
              const json: unknown = JSON.parse(text);
              // Hydra merges the JSON object into its status object; anything else becomes the result.
              if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
                return resolve({ ...base, ...json, headers: res.headers });
              }
              return resolve({ ...base, result: json });
            } catch {
              // fall through: keep the raw text
            }
          }
          resolve({ ...base, payLoad: text });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no HTTP response within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
