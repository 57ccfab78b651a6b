export interface RedisProcessOptions {
  /** Fixed port; a free one is chosen when omitted. */
  port?: number;
  /** Data directory; a temporary one (removed on stop) when omitted. */
  dir?: string;
  /** Append-only file on, so data survives a restart. */
  persistence?: boolean;
  /**
   * Also open a TLS port (`tlsPort`, `tlsUrl`), its certificate for 127.0.0.1 / localhost signed by a
   * throwaway CA (`caCert`) made with the openssl CLI at start. The plain `port` stays open.
   */
  tls?: boolean;
  /** Extra redis-server arguments, e.g. ['--cluster-enabled', 'yes']. */
  extraArgs?: string[];
}
export declare function findRedisServer(): string;
export declare function findOpenssl(): string;
/** Paths of the throwaway certificates {@link makeTestCertificates} writes. */
export interface TestCertificateFiles {
  caCertPath: string;
  certPath: string;
  keyPath: string;
}
export declare function makeTestCertificates(dir: string): TestCertificateFiles;
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
  /** The TLS port with `tls: true` (0 otherwise, or before start). */
  readonly tlsPort: number;
  /** `rediss://127.0.0.1:<tlsPort>`; throws without `tls: true` or before start. */
  readonly tlsUrl: string;
  /** Path of the CA certificate (PEM) that signed the server's; throws without `tls: true` or before start. */
  readonly caCertPath: string;
  /** The CA certificate (PEM) clients must trust; throws without `tls: true` or before start. */
  readonly caCert: string;
  start(): Promise<this>;
  stop(options?: { keepData?: boolean }): Promise<void>;
  kill(): Promise<void>;
  restart(options?: { downMs?: number; crash?: boolean }): Promise<this>;
}
/** Sends `signal` to a running child and waits for its exit; SIGKILL after `killAfterMs` when given. */
export declare function endChild(
  child: import('node:child_process').ChildProcess | undefined,
  signal: NodeJS.Signals,
  killAfterMs?: number,
): Promise<void>;
export declare function startRedis(options?: RedisProcessOptions): Promise<RedisProcess>;
