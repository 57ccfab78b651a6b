export interface RedisProcessOptions {
  /** Fixed port; a free one is chosen when omitted. */
  port?: number;
  /** Data directory; a temporary one (removed on stop) when omitted. */
  dir?: string;
  /** Append-only file on, so data survives a restart. */
  persistence?: boolean;
  /** Extra redis-server arguments, e.g. ['--cluster-enabled', 'yes']. */
  extraArgs?: string[];
}
export declare function findRedisServer(): string;
export declare function freePort(): Promise<number>;
export declare function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void>;
export declare class RedisProcess {
  constructor(options?: RedisProcessOptions);
  readonly port: number;
  readonly dir: string;
  readonly url: string;
  urlFor(db?: number): string;
  start(): Promise<this>;
  stop(options?: { keepData?: boolean }): Promise<void>;
  kill(): Promise<void>;
  restart(options?: { downMs?: number; crash?: boolean }): Promise<this>;
}
export declare function startRedis(options?: RedisProcessOptions): Promise<RedisProcess>;
