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
  /** ACL users made at every start and restart (the default user keeps every right). */
  users?: RedisAclUser[];
  /**
   * Run redis-server in a process group of its own (default false), so a Ctrl-C in the terminal reaches
   * the parent only, which stops the server after its clients.
   */
  detached?: boolean;
}
/** An ACL user for {@link RedisProcessOptions.users}. */
export interface RedisAclUser {
  name: string;
  password: string;
  /** ACL rules after `reset on >password`, e.g. `['~app:*', '&app:*', '+get']`. */
  rules: string[];
}
/**
 * Sends one command as the default user and resolves its one-line reply (`+OK`, `:1`); rejects on an
 * error reply. For set-up commands such as ACL SETUSER.
 */
export declare function sendCommand(port: number, args: Array<string | number>): Promise<string>;
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
  /** `redis://user:password@127.0.0.1:<port>/<db>` (db 0 by default). */
  userUrl(user: string, password: string, db?: number): string;
  /** Makes (or remakes, from nothing: `reset on >password ...rules`) an ACL user, as the default user. */
  setUser(name: string, password: string, rules: string[]): Promise<this>;
  /** The TLS port with `tls: true` (0 otherwise, or before start). */
  readonly tlsPort: number;
  /** `rediss://127.0.0.1:<tlsPort>`; throws without `tls: true` or before start. */
  readonly tlsUrl: string;
  /** Path of the CA certificate (PEM) that signed the server's; throws without `tls: true` or before start. */
  readonly caCertPath: string;
  /** The CA certificate (PEM) clients must trust; throws without `tls: true` or before start. */
  readonly caCert: string;
  /** The last 2,000 characters redis-server wrote to stderr since its last (re)start. */
  readonly stderrTail: string;
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
