import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { endChild, findRedisServer, freePort, RedisProcess } from '../../scripts/lib/redis-process.mjs';
import { eventually } from './wait.js';

// A master waits 5 s by default before a diskless full sync, for more replicas to join it.
const NO_SYNC_DELAY = ['--repl-diskless-sync-delay', '0'];

/** The master group name the test sentinel monitors. */
export const SENTINEL_MASTER = 'hn-master';

/**
 * A private Sentinel deployment on loopback: a master, one replica, and one sentinel with quorum 1
 * (so it fails over alone) that declares a silent master down after 1 s. Enough to test following a
 * failover; not a model of a production quorum.
 */
export class SentinelGroup {
  readonly master = new RedisProcess({ extraArgs: NO_SYNC_DELAY });
  /** Created once the master's port is known. */
  replica!: RedisProcess;
  sentinelPort = 0;
  private sentinel: ChildProcess | undefined;
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'hydra-nest-sentinel-'));

  /** The `sentinels` list of hydra-nest's `redis.sentinel` option. */
  get sentinels(): Array<{ host: string; port: number }> {
    return [{ host: '127.0.0.1', port: this.sentinelPort }];
  }

  /** Starts master, replica and sentinel, and waits until the sentinel knows the replica. */
  async start(): Promise<this> {
    await this.master.start();
    this.replica = new RedisProcess({
      extraArgs: [...NO_SYNC_DELAY, '--replicaof', '127.0.0.1', String(this.master.port)],
    });
    await this.replica.start();
    await eventually(async () => (await this.info(this.replica.port)).includes('master_link_status:up'), {
      timeoutMs: 10_000,
      what: 'the replica to sync with the master',
    });
    this.sentinelPort = await freePort();
    const config = path.join(this.dir, 'sentinel.conf');
    // Sentinel rewrites its config file as it learns the deployment, so it must be its own, writable one.
    writeFileSync(
      config,
      [
        `port ${this.sentinelPort}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${SENTINEL_MASTER} 127.0.0.1 ${this.master.port} 1`,
        `sentinel down-after-milliseconds ${SENTINEL_MASTER} 1000`,
        `sentinel failover-timeout ${SENTINEL_MASTER} 5000`,
        '',
      ].join('\n'),
    );
    this.sentinel = spawn(findRedisServer(), [config, '--sentinel', '--loglevel', 'warning'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // Until the sentinel itself has connected to the replica and read it as healthy, a failover would
    // fail with NOGOODSLAVE.
    await eventually(() => this.replicaReady(), {
      timeoutMs: 15_000,
      intervalMs: 100,
      what: 'the sentinel to see a healthy replica',
    });
    return this;
  }

  /** The port of the master as the sentinel sees it now. */
  async masterPort(): Promise<number> {
    const [, port] = (await this.ask('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER)) as string[];
    return Number(port);
  }

  /** Waits until the sentinel names a master other than the one on `oldPort`. */
  async waitForNewMaster(oldPort: number, timeoutMs = 20_000): Promise<number> {
    return eventually(
      async () => {
        const port = await this.masterPort();
        if (port === oldPort) return 0;
        return (await this.info(port)).includes('role:master') ? port : 0;
      },
      { timeoutMs, intervalMs: 100, what: `a new master to replace 127.0.0.1:${oldPort}` },
    );
  }

  /** Whether the sentinel sees a replica it could promote (flags just "slave", link to the master ok). */
  async replicaReady(): Promise<boolean> {
    const replicas = (await this.ask('SENTINEL', 'REPLICAS', SENTINEL_MASTER)) as string[][];
    return replicas.some((fields) => {
      const get = (name: string) => fields[fields.indexOf(name) + 1];
      return get('flags') === 'slave' && get('master-link-status') === 'ok';
    });
  }

  /** Sends one command to the sentinel. */
  async ask(...command: string[]): Promise<unknown> {
    return this.once(this.sentinelPort, command);
  }

  async stop(): Promise<void> {
    const sentinel = this.sentinel;
    this.sentinel = undefined;
    await endChild(sentinel, 'SIGKILL');
    await Promise.all([this.master.stop(), this.replica?.stop()]);
    rmSync(this.dir, { recursive: true, force: true });
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
export function useSentinel(): SentinelGroup {
  const group = new SentinelGroup();
  beforeAll(async () => {
    await group.start();
  }, 40_000);
  afterAll(async () => {
    await group.stop();
  });
  return group;
}
