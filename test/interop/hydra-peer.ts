import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Interop helper: a real Hydra 1.x instance (npm `hydra` 1.9.3) in a child process. `require('hydra')`
// is a per-process singleton, so every peer is its own process (./hydra-peer-child.cjs), driven over
// Node IPC. See the protocol at the top of the child script.

/** A UMF message in Hydra's short form (what Hydra emits as `'message'` and publishes). */
export interface UMFShort {
  to: string;
  frm: string;
  mid: string;
  ts: string;
  ver: string;
  rmid?: string;
  hdr?: Record<string, unknown>;
  sig?: string;
  tmo?: number;
  typ?: string;
  via?: string;
  fwd?: string;
  bdy?: unknown;
  aut?: string;
  [extra: string]: unknown;
}

/** An entry of Hydra's `'log'` event. */
export interface HydraLogEntry {
  ts: string;
  serviceName: string;
  type: string;
  processID: number;
  msg: unknown;
}

/** A `hydra:service:nodes` entry as returned by getServicePresence (plus `updatedOnTS`) / getServiceNodes (plus `elapsed`). */
export interface HydraNode {
  serviceName: string;
  serviceDescription: string;
  version?: string;
  instanceID: string;
  updatedOn: string;
  processID: number;
  ip: string;
  port: string | number;
  hostName: string;
  updatedOnTS?: number;
  elapsed?: number;
}

/** Hydra's ServerResponse object (makeAPIRequest results, 4xx/5xx status objects). */
export interface HydraServerResponse<R = any> {
  statusCode: number;
  statusMessage: string;
  statusDescription: string;
  result: R;
  headers?: Record<string, unknown>;
  payLoad?: string;
}

export interface HydraPeerOptions {
  /** Passed to Hydra as `redis.url`. Hydra uses db 0 when the URL has no path: use `redis.urlFor(15)`. */
  redisUrl: string;
  serviceName: string;
  /** Published port; omitted = Hydra picks a random free port (published as a number, a given one as a string). */
  servicePort?: number;
  /** Default `127.0.0.1`. */
  serviceIP?: string;
  /** Default `hydra-peer`. */
  serviceType?: string;
  /** Default `hydra-peer (<serviceName>)`. */
  serviceDescription?: string;
  /** Default `1.0.0` (given explicitly so Hydra never reads a package.json version). */
  serviceVersion?: string;
  /** Call registerService after init (default true). */
  register?: boolean;
  /** registerRoutes(routes) after registering (Hydra appends its three default routes). */
  routes?: string[];
  /** Extra keys merged into the `hydra` config branch. */
  extraConfig?: Record<string, unknown>;
}

interface Pending {
  resolve: (value: any) => void;
  reject: (error: Error) => void;
  method: string;
}

type ChildToParent =
  | { event: 'ready'; pid: number }
  | { event: 'message'; message: UMFShort }
  | { event: 'log'; entry: HydraLogEntry }
  | { id: number; result: unknown }
  | { id: number; error: string };

const CHILD_SCRIPT = fileURLToPath(new URL('./hydra-peer-child.cjs', import.meta.url));
const STOP_KILL_AFTER_MS = 3000;

/**
 * One real Hydra instance in a forked child. The child has the Node 20 guards for pnxtech/hydra#199
 * installed, so a Redis outage does not kill it.
 *
 * @example
 * const redis = useRedis();
 * const a = await HydraPeer.start({ redisUrl: redis.urlFor(15), serviceName: 'alpha-svc', servicePort: 5601 });
 * await a.autoReply({ bodyTemplate: { ok: true } }); // = a.call('__autoReply', {bodyTemplate: {ok: true}})
 * const presence = await a.call<HydraNode[]>('getServicePresence', 'beta-svc');
 * await a.stop();
 */
export class HydraPeer {
  /** UMF short messages received by this peer (Hydra `'message'` events), oldest first. */
  readonly messages: UMFShort[] = [];
  /** Hydra `'log'` events of this peer, oldest first. */
  readonly logs: HydraLogEntry[] = [];
  /** Hydra's instance id (32 hex chars), read right after init. */
  instanceId = '';
  /** The `hydra` branch init resolved with (servicePort as Hydra published it, serviceVersion, ...). */
  config: Record<string, any> = {};
  readonly serviceName: string;

  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private readonly waiters = new Set<(message: UMFShort) => void>();
  private nextId = 1;
  private exitPromise: Promise<void>;
  private exited = false;
  private stopping: Promise<void> | undefined;

  private constructor(serviceName: string) {
    this.serviceName = serviceName;
    this.child = fork(CHILD_SCRIPT, [], {
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.exitPromise = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exited = true;
        const error = new Error(`hydra peer ${serviceName} exited (code ${code}, signal ${signal})`);
        for (const p of this.pending.values()) p.reject(error);
        this.pending.clear();
        resolve();
      });
    });
    this.child.on('message', (raw: ChildToParent) => this.onChildMessage(raw));
  }

  /** Forks the child, inits Hydra and (unless `register: false`) registers the service and its routes. */
  static async start(opts: HydraPeerOptions): Promise<HydraPeer> {
    const peer = new HydraPeer(opts.serviceName.toLowerCase());
    try {
      await peer.ready();
      const result = await peer.call<{ hydra: Record<string, any> }>('init', {
        hydra: {
          serviceName: opts.serviceName,
          serviceIP: opts.serviceIP ?? '127.0.0.1',
          servicePort: opts.servicePort ?? 0,
          serviceType: opts.serviceType ?? 'hydra-peer',
          serviceDescription: opts.serviceDescription ?? `hydra-peer (${opts.serviceName})`,
          serviceVersion: opts.serviceVersion ?? '1.0.0',
          ...opts.extraConfig,
          redis: { url: opts.redisUrl },
        },
      });
      peer.config = result.hydra;
      peer.instanceId = await peer.call<string>('getInstanceID');
      if (opts.register ?? true) {
        await peer.call('registerService');
        if (opts.routes) await peer.call('registerRoutes', [...opts.routes]);
      } else if (opts.routes) {
        throw new Error('HydraPeer: routes need register: true');
      }
      return peer;
    } catch (error) {
      await peer.stop();
      throw error;
    }
  }

  /**
   * Calls `hydra[method](...args)` in the child and resolves its (JSON-transferred) result; rejects with
   * the child's error message. Also accepts the child's special methods `__autoReply`, `__listen`, `__stop`.
   */
  call<T = any>(method: string, ...args: unknown[]): Promise<T> {
    if (this.exited || !this.child.connected) {
      return Promise.reject(new Error(`hydra peer ${this.serviceName} is not running (call ${method})`));
    }
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.child.send({ id, method, args }, (error) => {
        if (error && this.pending.delete(id)) reject(error);
      });
    });
  }

  /** Auto-replies to every received non-reply message with bdy `{echo: <received bdy>, ...bodyTemplate}`. */
  autoReply(options: { typ?: string; bodyTemplate?: Record<string, unknown> } | null = {}): Promise<void> {
    return this.call('__autoReply', options);
  }

  /** Serves HTTP on 127.0.0.1 (default: the published servicePort) so makeAPIRequest to this peer works. */
  listen(port?: number): Promise<{ port: number }> {
    return port === undefined ? this.call('__listen') : this.call('__listen', port);
  }

  /** Resolves with the first received message (already received or arriving) that matches. */
  waitForMessage(predicate: (message: UMFShort) => boolean, timeoutMs = 5000): Promise<UMFShort> {
    const found = this.messages.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = (message: UMFShort) => {
        if (!predicate(message)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(message);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new Error(
            `hydra peer ${this.serviceName}: no matching message within ${timeoutMs} ms ` +
              `(${this.messages.length} received)`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Hydra shutdown (bounded), then the child exits; SIGKILL after 3 s. Never hangs, idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    if (this.exited) return;
    const killTimer = setTimeout(() => this.child.kill('SIGKILL'), STOP_KILL_AFTER_MS);
    try {
      if (this.child.connected) {
        await Promise.race([this.call('__stop').catch(() => undefined), this.exitPromise]);
      }
      if (this.child.connected) this.child.disconnect(); // the child exits on 'disconnect'
      await this.exitPromise;
    } finally {
      clearTimeout(killTimer);
    }
  }

  private ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onMessage = (raw: ChildToParent) => {
        if ('event' in raw && raw.event === 'ready') {
          this.child.off('message', onMessage);
          resolve();
        }
      };
      this.child.on('message', onMessage);
      this.exitPromise.then(() =>
        reject(new Error(`hydra peer ${this.serviceName} exited before it was ready`)),
      );
    });
  }

  private onChildMessage(raw: ChildToParent): void {
    if ('event' in raw) {
      if (raw.event === 'message') {
        this.messages.push(raw.message);
        for (const waiter of [...this.waiters]) waiter(raw.message);
      } else if (raw.event === 'log') {
        this.logs.push(raw.entry);
      }
      return;
    }
    const pending = this.pending.get(raw.id);
    if (!pending) return;
    this.pending.delete(raw.id);
    if ('error' in raw)
      pending.reject(new Error(`hydra peer ${this.serviceName}: ${pending.method}: ${raw.error}`));
    else pending.resolve(raw.result);
  }
}
