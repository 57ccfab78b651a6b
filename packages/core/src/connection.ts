import { Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { HydraConfigError, RedisUnavailableError } from './errors.js';

/** How to reach Redis. Give a `url`, discrete fields, or an ioredis `client` you own. */
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
  };
  let address: string;
  if (input.url) {
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

/** Hides the password of a Redis URL for logs and errors. */
export function maskPassword(url: string): string {
  return url.replace(/\/\/([^:@/]*):([^@/]+)@/, '//$1:***@');
}

/**
 * Connects a lazily created client, trying `attempts` times, and turns failure into one
 * actionable {@link RedisUnavailableError}.
 */
export async function connectOrExplain(client: Redis, address: string, attempts = 3): Promise<void> {
  if (client.status === 'ready') return;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      if (client.status === 'wait' || client.status === 'end' || client.status === 'close') {
        await client.connect();
      } else {
        await waitUntilReady(client);
      }
      return;
    } catch (error) {
      lastError = error;
      if (attempt < attempts) await new Promise((r) => setTimeout(r, 250));
    }
  }
  client.disconnect();
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new RedisUnavailableError(
    `Cannot reach Redis at ${address} after ${attempts} attempts (${reason}). ` +
      'Is redis-server running there? Set the redis url in the options (or REDIS_URL) to a reachable server.',
    { cause: lastError },
  );
}

function waitUntilReady(client: Redis): Promise<void> {
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
