import { parseArgs } from 'node:util';
import type { RedisConnectionOptions } from '@hydra-nest/core';
import { RouterConfigError } from '../router-errors.js';
import type { HydraRouterOptions } from '../router-options.js';

/** `hydra-nest-router --help`. */
export const USAGE = `usage: hydra-nest-router [options]

Routes HTTP requests to Hydra 1.x and hydra-nest services by the routes they publish, and serves
hydra-router's admin API at /v1/router/. Flags win over environment variables.

Redis (one of):
  --redis-url URL            redis://[user:pass@]host:port/db           env REDIS_URL, HYDRA_REDIS_URL
                             (default redis://127.0.0.1:6379/15, Hydra's db)
  --redis-cluster NODES      host:port,host:port (a Redis Cluster)      env REDIS_CLUSTER_NODES
  --sentinels NODES          host:port,host:port (Redis Sentinel) with  env REDIS_SENTINELS
  --sentinel-master NAME     the monitored master's name                env REDIS_SENTINEL_MASTER
  --redis-password PASS      password (Sentinel: the master's)          env REDIS_PASSWORD
  --redis-db N               db with Sentinel (default 15)              env REDIS_DB
  --key-prefix PREFIX        registry key prefix (default hydra:service) env HYDRA_KEY_PREFIX

HTTP:
  --port N                   port to listen on, 0 for a free one (default 5353)  env ROUTER_PORT, PORT
  --host ADDR                address to listen on (default 0.0.0.0)     env ROUTER_HOST
  --service-ip ADDR          IP published in the registry               env ROUTER_SERVICE_IP
  --prefix PATH              path prefix stripped from routed requests, e.g. /api  env ROUTER_PREFIX
  --max-body SIZE            largest request body: bytes or 512kb, 1mb (default 1mb)  env ROUTER_MAX_BODY
  --timeout MS               time an instance has to answer, ms or 5s (default 30s)  env ROUTER_TIMEOUT
                             (hydra-router's HYDRA_ROUTER_REQUESTTIMEOUT, seconds, is read too)
  --load-balancing WAY       round-robin (default) or random            env ROUTER_LOAD_BALANCING

Admin API (/v1/router/...):
  --admin-token TOKEN        required of every caller (else localhost only)  env ROUTER_ADMIN_TOKEN,
                             HYDRA_ROUTER_ROUTERTOKEN
  --no-admin                 turn the admin API off                     env ROUTER_ADMIN=off

  --help, --version
`;

/** What the command line asks for. */
export type RouterCommand =
  { kind: 'run'; options: HydraRouterOptions } | { kind: 'help' } | { kind: 'version' };

/**
 * Reads the router's options from command-line flags and environment variables (flags win).
 *
 * @throws {@link RouterConfigError} naming the flag or variable whose value is not usable.
 */
export function parseRouterArgs(argv: string[], environment: NodeJS.ProcessEnv): RouterCommand {
  // A variable set to the empty string counts as unset, as shells and compose files often leave them.
  const env = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== ''));
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        'redis-url': { type: 'string' },
        'redis-cluster': { type: 'string' },
        sentinels: { type: 'string' },
        'sentinel-master': { type: 'string' },
        'redis-password': { type: 'string' },
        'redis-db': { type: 'string' },
        'key-prefix': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'service-ip': { type: 'string' },
        prefix: { type: 'string' },
        'max-body': { type: 'string' },
        timeout: { type: 'string' },
        'load-balancing': { type: 'string' },
        'admin-token': { type: 'string' },
        'no-admin': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }));
  } catch (error) {
    throw new RouterConfigError(`${(error as Error).message}; see hydra-nest-router --help`);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const flag = (name: string) => values[name] as string | undefined;

  const options: HydraRouterOptions = { redis: redisOptions(flag, env) };
  const port = flag('port') ?? env.ROUTER_PORT ?? env.PORT;
  if (port !== undefined) options.port = integer(port, '--port / ROUTER_PORT');
  options.host = flag('host') ?? env.ROUTER_HOST;
  options.serviceIP = flag('service-ip') ?? env.ROUTER_SERVICE_IP;
  options.pathPrefix = flag('prefix') ?? env.ROUTER_PREFIX;
  const keyPrefix = flag('key-prefix') ?? env.HYDRA_KEY_PREFIX;
  if (keyPrefix) options.keyspace = { prefix: keyPrefix };
  const maxBody = flag('max-body') ?? env.ROUTER_MAX_BODY;
  if (maxBody !== undefined) options.maxBodyBytes = bytes(maxBody, '--max-body / ROUTER_MAX_BODY');
  const timeout = flag('timeout') ?? env.ROUTER_TIMEOUT;
  if (timeout !== undefined) options.timeoutMs = milliseconds(timeout, '--timeout / ROUTER_TIMEOUT');
  else if (env.HYDRA_ROUTER_REQUESTTIMEOUT) {
    options.timeoutMs =
      integer(env.HYDRA_ROUTER_REQUESTTIMEOUT, 'HYDRA_ROUTER_REQUESTTIMEOUT (seconds)') * 1000;
  }
  const balancing = flag('load-balancing') ?? env.ROUTER_LOAD_BALANCING;
  if (balancing !== undefined) options.loadBalancing = balancing as HydraRouterOptions['loadBalancing'];
  const token = flag('admin-token') ?? env.ROUTER_ADMIN_TOKEN ?? env.HYDRA_ROUTER_ROUTERTOKEN;
  const adminOff = values['no-admin'] === true || /^(off|false|0|no)$/i.test(env.ROUTER_ADMIN ?? '');
  options.admin = adminOff ? false : { token: token || undefined };
  for (const key of Object.keys(options) as Array<keyof HydraRouterOptions>) {
    if (options[key] === undefined) delete options[key];
  }
  return { kind: 'run', options };
}

function redisOptions(
  flag: (name: string) => string | undefined,
  env: NodeJS.ProcessEnv,
): RedisConnectionOptions {
  const password = flag('redis-password') ?? env.REDIS_PASSWORD;
  const cluster = list(
    flag('redis-cluster') ?? env.REDIS_CLUSTER_NODES,
    '--redis-cluster / REDIS_CLUSTER_NODES',
  );
  if (cluster.length)
    return { cluster: { nodes: cluster.map(({ host, port }) => `${host}:${port}`) }, password };
  const sentinels = list(flag('sentinels') ?? env.REDIS_SENTINELS, '--sentinels / REDIS_SENTINELS');
  if (sentinels.length) {
    const masterName = flag('sentinel-master') ?? env.REDIS_SENTINEL_MASTER;
    if (!masterName) {
      throw new RouterConfigError(
        '--sentinels needs --sentinel-master (or REDIS_SENTINEL_MASTER): the master group name',
      );
    }
    const db = flag('redis-db') ?? env.REDIS_DB;
    return {
      sentinel: { masterName, sentinels },
      password,
      db: db === undefined ? undefined : integer(db, '--redis-db / REDIS_DB'),
    };
  }
  const url = flag('redis-url') ?? env.REDIS_URL ?? env.HYDRA_REDIS_URL;
  return url ? { url, password } : { password };
}

function list(text: string | undefined, name: string): Array<{ host: string; port: number }> {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((node) => {
      const found = /^([^\s/]+):(\d+)$/.exec(node);
      if (!found) throw new RouterConfigError(`${name} has "${node}"; give host:port,host:port,...`);
      return { host: found[1]!, port: Number(found[2]) };
    });
}

function integer(text: string, name: string): number {
  if (!/^\d+$/.test(text.trim()))
    throw new RouterConfigError(`${name} must be a whole number, got "${text}"`);
  return Number(text);
}

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1024,
  k: 1024,
  mb: 1024 ** 2,
  m: 1024 ** 2,
  gb: 1024 ** 3,
};

function bytes(text: string, name: string): number {
  const found = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = UNITS[found?.[2]?.toLowerCase() ?? 'x'];
  if (!found || unit === undefined)
    throw new RouterConfigError(`${name} must be bytes or a size like 512kb or 1mb, got "${text}"`);
  return Math.floor(Number(found[1]) * unit);
}

function milliseconds(text: string, name: string): number {
  const found = /^(\d+(?:\.\d+)?)\s*(ms|s)?$/i.exec(text.trim());
  if (!found) throw new RouterConfigError(`${name} must be milliseconds or seconds like 5s, got "${text}"`);
  return Math.round(Number(found[1]) * (found[2]?.toLowerCase() === 's' ? 1000 : 1));
}
