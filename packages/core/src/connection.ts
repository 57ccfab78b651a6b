import { Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import type { ClusterConnectionOptions } from './cluster-connection.js';
import { HydraConfigError, RedisUnavailableError } from './errors.js';
import { isCluster, type RedisClient } from './redis-client.js';
import { explainRefusal, isRedisPermissionRefusal } from './redis-permission.js';

/** One Redis Sentinel: where it listens. */
export interface SentinelAddress {
  host: string;
  port: number;
}

/**
 * A Redis deployment watched by Sentinel: the sentinels are asked where the master of `masterName` is
 * at every (re)connection, and a failover is followed as soon as the sentinels announce it: both
 * connections reconnect to the new master, and presence, routes and subscriptions are restored as after
 * any reconnect.
 */
export interface SentinelOptions {
  /** The master group the sentinels monitor (the name in `sentinel monitor <name> ...`). */
  masterName: string;
  /** At least one sentinel; the others are learnt from it. */
  sentinels: SentinelAddress[];
  /** ACL user of the sentinels themselves (the master's is `username`). */
  username?: string;
  /** Password of the sentinels themselves (the master's is `password`). */
  password?: string;
  /** TLS to the sentinels: `true` for defaults, or Node TLS options. The master's is `tls`. */
  tls?: boolean | TlsOptions;
}

/**
 * How to reach Redis. Give a `url`, discrete fields, `sentinel` (with `db`, `username`, `password`,
 * `tls` for the master), or an ioredis `client` you own.
 */
export interface RedisConnectionOptions {
  /**
   * `redis://[[username]:password@]host[:port][/db]` or `rediss://...` for TLS. As in Hydra, a URL
   * without a db path selects db 0.
   */
  url?: string;
  host?: string;
  port?: number;
  /** ACL user name (Redis 6+). */
  username?: string;
  password?: string;
  /** Database number. Default 15, Hydra's convention, when neither `url` nor `client` is given. */
  db?: number;
  /** TLS: `true` for defaults, or Node TLS options (ca, cert, key, servername, ...). */
  tls?: boolean | TlsOptions;
  /** Find the master through Redis Sentinel instead of a fixed address (no `url`, `host` or `port` then). */
  sentinel?: SentinelOptions;
  /**
   * Connect to a Redis Cluster (Redis 7+) instead: start nodes and ioredis `ClusterOptions` (no `url`,
   * `host`, `port`, `db` or `sentinel` then; `username`, `password`, `tls` apply to every node). Keys
   * are laid out with hash tags and messages use sharded pub/sub: a layout for hydra-nest services only,
   * as Hydra 1.x cannot run on a cluster.
   */
  cluster?: ClusterConnectionOptions;
  /**
   * An ioredis client to use for commands. hydra-nest duplicates it for its subscriber connection and
   * never closes it: its owner does.
   */
  client?: Redis;
  /** Connection attempts at start before giving up with {@link RedisUnavailableError}. Default 3. */
  startupAttempts?: number;
  /** Timeout of one connection attempt, ms. Default 2000. */
  connectTimeoutMs?: number;
  /** Longest pause between reconnection attempts once running, ms. Default 500. */
  maxReconnectDelayMs?: number;
  /** Extra ioredis options, applied last. */
  ioredis?: RedisOptions;
}

/** The Hydra convention: every Hydra party uses db 15 unless configured otherwise. */
export const HYDRA_DEFAULT_DB = 15;

/** Resolved ioredis options plus a printable address with the password hidden. */
export interface ResolvedRedisOptions {
  options: RedisOptions;
  address: string;
}

/** Turns hydra-nest connection options into ioredis options. */
export function resolveRedisOptions(input: RedisConnectionOptions = {}): ResolvedRedisOptions {
  const maxDelay = input.maxReconnectDelayMs ?? 500;
  const options: RedisOptions = {
    lazyConnect: true,
    connectTimeout: input.connectTimeoutMs ?? 2000,
    // Commands fail fast while Redis is away instead of piling up; timers simply try again.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(50 * attempt, maxDelay),
    // A master demoted under us (failover, managed Redis maintenance) answers writes with READONLY:
    // reconnect, which finds the new master; the failed command is rejected, and its timer retries.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
  };
  let address: string;
  if (input.sentinel) {
    address = resolveSentinel(input, options);
  } else if (input.url) {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      throw new HydraConfigError(
        `redis url "${input.url}" is not a valid URL; expected redis://[user:password@]host:port/db`,
      );
    }
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
      throw new HydraConfigError(
        `redis url "${maskPassword(input.url)}" must start with redis:// or rediss:// (TLS)`,
      );
    }
    const dbText = url.pathname.replace(/^\//, '');
    const db = dbText === '' ? 0 : Number(dbText);
    if (!Number.isInteger(db) || db < 0) {
      throw new HydraConfigError(`redis url "${maskPassword(input.url)}" has db "${dbText}"; use a number`);
    }
    options.host = url.hostname.replace(/^\[|\]$/g, '');
    options.port = url.port ? Number(url.port) : 6379;
    options.db = db;
    if (url.username) options.username = decodeURIComponent(url.username);
    if (url.password) options.password = decodeURIComponent(url.password);
    if (url.protocol === 'rediss:') options.tls = {};
    address = maskPassword(input.url);
  } else {
    options.host = input.host ?? '127.0.0.1';
    options.port = input.port ?? 6379;
    options.db = input.db ?? HYDRA_DEFAULT_DB;
    address = `redis://${options.host}:${options.port}/${options.db}`;
  }
  if (input.username !== undefined) options.username = input.username;
  if (input.password !== undefined) options.password = input.password;
  if (input.url && input.db !== undefined) options.db = input.db;
  if (input.tls) options.tls = input.tls === true ? {} : input.tls;
  Object.assign(options, input.ioredis);
  return { options, address };
}

/** Sets the Sentinel options of ioredis; returns a printable address. */
function resolveSentinel(input: RedisConnectionOptions, options: RedisOptions): string {
  const sentinel = input.sentinel!;
  if (input.url !== undefined || input.host !== undefined || input.port !== undefined) {
    throw new HydraConfigError(
      'redis options give both `sentinel` and a fixed address (`url`, `host` or `port`); with Sentinel the ' +
        'master is found through the sentinels: remove the address and set `db`, `username`, `password` there',
    );
  }
  if (typeof sentinel.masterName !== 'string' || sentinel.masterName === '') {
    throw new HydraConfigError(
      'redis.sentinel.masterName is missing: give the name the sentinels monitor (sentinel monitor <name> ...)',
    );
  }
  const sentinels = Array.isArray(sentinel.sentinels) ? sentinel.sentinels : [];
  const bad = sentinels.find(
    (s) => typeof s?.host !== 'string' || s.host === '' || !Number.isInteger(s.port) || s.port <= 0,
  );
  if (sentinels.length === 0 || bad) {
    throw new HydraConfigError(
      `redis.sentinel.sentinels must list at least one { host, port }` +
        (bad ? `; got ${JSON.stringify(bad)}` : ''),
    );
  }
  options.name = sentinel.masterName;
  options.sentinels = sentinels.map(({ host, port }) => ({ host, port }));
  options.db = input.db ?? HYDRA_DEFAULT_DB;
  // Follow a failover as soon as the sentinels announce it: an old master that is still up stays a
  // writable master until the sentinels get round to demoting it, which can take seconds. (When the
  // announcement cuts short a reconnection, ioredis gives up; the connection watcher revives it.)
  options.failoverDetector = true;
  if (sentinel.username !== undefined) options.sentinelUsername = sentinel.username;
  if (sentinel.password !== undefined) options.sentinelPassword = sentinel.password;
  if (sentinel.tls) options.sentinelTLS = sentinel.tls === true ? {} : sentinel.tls;
  if (input.tls) options.enableTLSForSentinelMode = true;
  const list = sentinels.map((s) => `${s.host}:${s.port}`).join(',');
  return `sentinel ${list} (master "${sentinel.masterName}", db ${options.db})`;
}

/** Hides the password of a Redis URL for logs and errors. */
export function maskPassword(url: string): string {
  return url.replace(/\/\/([^:@/]*):([^@/]+)@/, '//$1:***@');
}

/**
 * Connects a lazily created client, trying `attempts` times, and turns failure into one
 * actionable {@link RedisUnavailableError}, or a `RedisPermissionError` when the ACL user may not
 * select its db.
 */
export async function connectOrExplain(client: RedisClient, address: string, attempts = 3): Promise<void> {
  if (client.status === 'ready') return;
  let lastError: unknown;
  // ioredis rejects connect() with a bare "Connection is closed." when the socket fails; the reason (a
  // TLS verification failure, a reset) comes only as an 'error' event, so keep the current attempt's.
  let socketError: Error | undefined;
  const remember = (error: Error) => (socketError = error);
  let refusal: Error | undefined;
  client.on('error', remember);
  try {
    for (let attempt = 1; attempt <= attempts; attempt++) {
      socketError = undefined;
      try {
        await withinDeadline(connectOnce(client), attemptDeadlineMs(client), () => client.disconnect());
        // ioredis reports a refused SELECT only as an 'error' event and goes on in db 0: never run there.
        if (!isRedisPermissionRefusal(socketError)) return;
        refusal = socketError;
        break;
      } catch (error) {
        lastError =
          (isBareClose(error) || error instanceof AttemptExpired) && socketError ? socketError : error;
        if (attempt < attempts) await new Promise((r) => setTimeout(r, 250));
      }
    }
  } finally {
    client.off('error', remember);
  }
  client.disconnect();
  if (refusal) throw explainRefusal(refusal, { redis: client });
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new RedisUnavailableError(
    `Cannot reach Redis at ${address} after ${attempts} attempt${attempts === 1 ? '' : 's'} (${reason}). ` +
      whatToCheck(lastError, client),
    { cause: lastError },
  );
}

/** One connection attempt: connect a client that is not connecting, or wait for one that is. */
function connectOnce(client: RedisClient): Promise<void> {
  if (client.status === 'wait' || client.status === 'end' || client.status === 'close') {
    return client.connect();
  }
  return waitUntilReady(client);
}

/** An attempt that did not finish in time (its client was disconnected). */
class AttemptExpired extends Error {}

/**
 * How long one attempt may take. ioredis bounds a socket connect by `connectTimeout`, but not the
 * lookup of the master through Sentinel: that it retries for ever (an unknown master name, sentinels
 * all down), so without this bound start() would never return.
 */
function attemptDeadlineMs(client: RedisClient): number {
  const timeout = isCluster(client)
    ? client.options.redisOptions?.connectTimeout
    : client.options.connectTimeout;
  // A cluster client also reads the slot map from a node before it is ready.
  return (isCluster(client) ? 3 : 2) * (timeout ?? 10_000) + 500;
}

async function withinDeadline(attempt: Promise<void>, ms: number, abandon: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      abandon();
      reject(new AttemptExpired(`no connection within ${ms} ms`));
    }, ms);
  });
  attempt.catch(() => undefined); // an abandoned attempt rejects later, with nobody waiting for it
  try {
    await Promise.race([attempt, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** ioredis' rejection of connect() when the socket closed, which says nothing of why. */
function isBareClose(error: unknown): boolean {
  return error instanceof Error && error.message === 'Connection is closed.';
}

/** The advice of a failed connection: TLS trust, TLS expected, or the server not running. */
function whatToCheck(error: unknown, client: RedisClient): string {
  if (isCluster(client)) {
    return (
      'Check that the cluster nodes given in redis.cluster.nodes are up and that the cluster is healthy ' +
      '(redis-cli -h <host> -p <port> CLUSTER INFO says cluster_state:ok).'
    );
  }
  const { tls, name, sentinels } = client.options;
  if (sentinels?.length) {
    const first = sentinels[0]!;
    return (
      `Check that the sentinels are running and monitor a master named "${name}" (redis-cli -h ${first.host} ` +
      `-p ${first.port} SENTINEL GET-MASTER-ADDR-BY-NAME ${name}), and that this master is up.`
    );
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (error instanceof Error && /^(WRONGPASS|NOAUTH)\b/.test(error.message)) {
    return (
      'Redis refused the credentials: check the user name and password (in the url, ' +
      'redis://user:password@host:port/db, or redis.username and redis.password) and that the ACL user ' +
      'is enabled (ACL SETUSER <user> on).'
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return (
      "The server's TLS certificate does not name that host: connect by a name it has, or set " +
      'redis.tls.servername to one.'
    );
  }
  if (typeof code === 'string' && /CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE/.test(code)) {
    return (
      "The server's TLS certificate was not trusted: give the CA that signed it as redis.tls.ca " +
      '(PEM), or set NODE_EXTRA_CA_CERTS to its file.'
    );
  }
  if (!tls && code === 'ECONNRESET') {
    return 'The server closed the connection: if that port expects TLS, use a rediss:// url or the tls option.';
  }
  return 'Is redis-server running there? Set the redis url in the options (or REDIS_URL) to a reachable server.';
}

function waitUntilReady(client: RedisClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      client.off('ready', onReady);
      client.off('error', onError);
    };
    client.once('ready', onReady);
    client.once('error', onError);
  });
}
