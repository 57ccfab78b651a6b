import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { endChild, findRedisServer, freePort, RedisProcess } from '../../scripts/lib/redis-process.mjs';
import { eventually } from './wait.js';

// A master waits 5 s by default before a diskless full sync, for more replicas to join it.
const NO_SYNC_DELAY = ['--repl-diskless-sync-delay', '0'];

/** The master group name the test sentinels monitor. */
export const SENTINEL_MASTER = 'hn-master';

/** Options of a {@link SentinelGroup}. */
export interface SentinelGroupOptions {
  /** How many sentinels watch the master (default 1; 3 for a deployment like production's). */
  sentinels?: number;
  /** How many sentinels must find the master down to fail over (default: a majority of them). */
  quorum?: number;
}

/**
 * A private Sentinel deployment on loopback: a master, one replica, and sentinels that declare a silent
 * master down after 1 s. By default one sentinel with quorum 1, which fails over alone: enough to test
 * following a failover. `{ sentinels: 3 }` starts a trio with quorum 2, which must agree first and elect a
 * leader among them, as in production.
 */
export class SentinelGroup {
  readonly master = new RedisProcess({ extraArgs: NO_SYNC_DELAY });
  /** Created once the master's port is known. */
  replica!: RedisProcess;
  /** The sentinels' ports, known once `start()` resolved. */
  sentinelPorts: number[] = [];
  private children: ChildProcess[] = [];
  private readonly killedAt = new Map<number, number>();
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'hydra-nest-sentinel-'));

  constructor(readonly options: SentinelGroupOptions = {}) {}

  /** The first sentinel's port. */
  get sentinelPort(): number {
    return this.sentinelPorts[0] ?? 0;
  }

  /** The `sentinels` list of hydra-nest's `redis.sentinel` option. */
  get sentinels(): Array<{ host: string; port: number }> {
    return this.sentinelPorts.map((port) => ({ host: '127.0.0.1', port }));
  }

  /**
   * Starts master, replica and sentinels, and waits until every sentinel knows the replica as healthy and
   * knows the other sentinels.
   */
  async start(): Promise<this> {
    const count = this.options.sentinels ?? 1;
    const quorum = this.options.quorum ?? Math.floor(count / 2) + 1;
    await this.master.start();
    this.replica = new RedisProcess({
      extraArgs: [...NO_SYNC_DELAY, '--replicaof', '127.0.0.1', String(this.master.port)],
    });
    await this.replica.start();
    await eventually(async () => (await this.info(this.replica.port)).includes('master_link_status:up'), {
      timeoutMs: 10_000,
      what: 'the replica to sync with the master',
    });
    while (this.sentinelPorts.length < count) {
      const port = await freePort();
      if (!this.sentinelPorts.includes(port)) this.sentinelPorts.push(port);
    }
    this.children = this.sentinelPorts.map((port, i) => {
      const config = path.join(this.dir, `sentinel-${i}.conf`);
      // Sentinel rewrites its config file as it learns the deployment, so each has its own, writable one.
      writeFileSync(
        config,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${this.dir}`,
          `logfile ${path.join(this.dir, `sentinel-${i}.log`)}`,
          `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${this.master.port} ${quorum}`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
          `sentinel failover-timeout ${SENTINEL_MASTER} 5000`,
          '',
        ].join('\n'),
      );
      return spawn(findRedisServer(), [config, '--sentinel', '--loglevel', 'warning'], { stdio: 'ignore' });
    });
    // Until a sentinel has connected to the replica and read it as healthy, a failover would fail with
    // NOGOODSLAVE; until the sentinels know each other (they meet through the master every 2 s), a trio
    // cannot elect a leader.
    await this.withLogs(
      eventually(
        async () => (await Promise.all(this.sentinelPorts.map((p) => this.sentinelReady(p)))).every(Boolean),
        { timeoutMs: 15_000, intervalMs: 100, what: 'the sentinels to see a healthy replica and each other' },
      ),
    );
    return this;
  }

  /** The port of the master as the sentinel on `sentinelPort` (the first one by default) sees it now. */
  async masterPort(sentinelPort = this.sentinelPort): Promise<number> {
    const reply = await this.once(sentinelPort, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER]);
    return Number((reply as string[])[1]);
  }

  /** Waits until every sentinel names one master other than the one on `oldPort`, and returns its port. */
  async waitForNewMaster(oldPort: number, timeoutMs = 20_000): Promise<number> {
    const check = async () => {
      const named = await Promise.all(this.sentinelPorts.map((p) => this.masterPort(p)));
      const port = named[0]!;
      if (port === oldPort || named.some((p) => p !== port)) return 0;
      return (await this.info(port)).includes('role:master') ? port : 0;
    };
    const what = `a new master to replace 127.0.0.1:${oldPort}`;
    return this.withLogs(eventually(check, { timeoutMs, intervalMs: 50, what }));
  }

  /** SIGKILLs the master the sentinels name now, and returns its port; `waitForFailover` counts from here. */
  async killMaster(): Promise<number> {
    const port = await this.masterPort();
    const node = [this.master, this.replica].find((p) => p.port === port);
    if (!node) throw new Error(`the sentinels name 127.0.0.1:${port}, a server this group did not start`);
    this.killedAt.set(port, Date.now());
    await node.kill();
    return port;
  }

  /**
   * Waits until every sentinel names a new master in place of the one on `oldPort`; resolves its port and
   * the milliseconds since `killMaster()` (or since this call).
   */
  async waitForFailover(oldPort: number, timeoutMs = 20_000): Promise<{ port: number; ms: number }> {
    const begun = this.killedAt.get(oldPort) ?? Date.now();
    const port = await this.waitForNewMaster(oldPort, timeoutMs);
    return { port, ms: Date.now() - begun };
  }

  /**
   * Whether the sentinel on `port` sees a replica it could promote (flags just "slave", link to the
   * master ok) and knows every other sentinel.
   */
  async sentinelReady(port = this.sentinelPort): Promise<boolean> {
    const field = (fields: string[], name: string) => fields[fields.indexOf(name) + 1];
    const [master, replicas] = (await Promise.all([
      this.once(port, ['SENTINEL', 'MASTER', SENTINEL_MASTER]),
      this.once(port, ['SENTINEL', 'REPLICAS', SENTINEL_MASTER]),
    ])) as [string[], string[][]];
    const others = Number(field(master, 'num-other-sentinels'));
    const healthy = replicas.some(
      (r) => field(r, 'flags') === 'slave' && field(r, 'master-link-status') === 'ok',
    );
    return healthy && others === this.sentinelPorts.length - 1;
  }

  /** The last lines of every sentinel's log, for error messages. */
  logTails(lines = 10): string {
    return this.sentinelPorts
      .map((port, i) => {
        const file = path.join(this.dir, `sentinel-${i}.log`);
        const text = existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines) : [];
        return `--- sentinel 127.0.0.1:${port} (${file})\n${text.join('\n') || '(empty)'}`;
      })
      .join('\n');
  }

  /** Sends one command to the first sentinel. */
  async ask(...command: string[]): Promise<unknown> {
    return this.once(this.sentinelPort, command);
  }

  /** Sends one command to every sentinel; resolves their replies in the order of `sentinelPorts`. */
  async askAll(...command: string[]): Promise<unknown[]> {
    return Promise.all(this.sentinelPorts.map((port) => this.once(port, command)));
  }

  /** Kills the sentinels, stops master and replica, and removes the sentinels' files. */
  async stop(): Promise<void> {
    const children = this.children;
    this.children = [];
    await Promise.all(children.map((child) => endChild(child, 'SIGKILL')));
    await Promise.all([this.master.stop(), this.replica?.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** `waiting`, or its error with the sentinels' log tails added. */
  private async withLogs<T>(waiting: Promise<T>): Promise<T> {
    try {
      return await waiting;
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${this.logTails()}`, { cause: error });
    }
  }

  private async info(port: number): Promise<string> {
    return (await this.once(port, ['INFO', 'replication'])) as string;
  }

  private async once(port: number, [name, ...args]: string[]): Promise<unknown> {
    const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await client.call(name!, ...args);
    } finally {
      client.disconnect();
    }
  }
}

/** A {@link SentinelGroup} started before the file's tests and stopped after them. */
export function useSentinel(options: SentinelGroupOptions = {}): SentinelGroup {
  const group = new SentinelGroup(options);
  beforeAll(async () => {
    await group.start();
  }, 40_000);
  afterAll(async () => {
    await group.stop();
  });
  return group;
}
