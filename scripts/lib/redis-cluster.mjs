// A private Redis Cluster on loopback: cluster-enabled redis-server processes joined by
// `redis-cli --cluster create`. The test harness uses it (test/harness/cluster.ts), and `npm run demo` and
// `npm run bench` can, so that nothing depends on a cluster someone else runs.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { clusterProblems, migrateSlot, ownerOf, parseClusterSlots } from './cluster-slots.mjs';
import { createCluster, findRedisCli } from './redis-cli.mjs';
import { findRedisServer, freePort, RedisProcess } from './redis-process.mjs';

const HOST = '127.0.0.1';
const POLL_MS = 25;

/**
 * A Redis Cluster of `masters` masters with `replicasPerMaster` replicas each (3 and 1 by default). Every
 * node is a redis-server on two free loopback ports (clients, cluster bus) with a directory of its own for
 * `nodes.conf` and `redis.log`, no RDB snapshots, and AOF only with `persistence: true`. `nodeTimeoutMs`
 * (`cluster-node-timeout`, default 1000) sets how fast a killed master is replaced: about 2 s here.
 * Every question is asked live of the nodes it started, never of another server. `detached: true` puts
 * every node in a process group of its own (see `RedisProcess`).
 */
export class RedisCluster {
  constructor(options = {}) {
    this.options = {
      masters: 3,
      replicasPerMaster: 1,
      nodeTimeoutMs: 1000,
      persistence: false,
      extraArgs: [],
      startTimeoutMs: 30_000,
      detached: false,
      ...options,
    };
    this.dir = undefined;
    this.processes = [];
    this.startMs = 0;
    this.clients = new Map();
    this.kills = new Map();
  }

  /** Every node, masters and replicas alike, as ioredis `Cluster` startup nodes. */
  get nodes() {
    return this.processes.map((p) => ({ host: HOST, port: p.port }));
  }

  /** Starts the nodes in parallel, joins them, and resolves once every node agrees the cluster is ok. */
  async start() {
    const begun = Date.now();
    const { masters, replicasPerMaster, startTimeoutMs } = this.options;
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'hydra-nest-cluster-'));
    try {
      const bin = findRedisServer();
      findRedisCli(); // fail before starting anything when it is missing
      const taken = new Set([6379]);
      const count = masters * (1 + replicasPerMaster);
      const started = await Promise.allSettled(
        Array.from({ length: count }, (_, i) => this.#startNode(bin, i, taken)),
      );
      this.processes = started.filter((s) => s.status === 'fulfilled').map((s) => s.value);
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      const addresses = this.processes.map((p) => `${HOST}:${p.port}`);
      await createCluster(addresses, { replicas: replicasPerMaster, timeoutMs: startTimeoutMs });
      await this.waitUntilSettled({ timeoutMs: Math.max(1000, startTimeoutMs - (Date.now() - begun)) });
    } catch (error) {
      const logs = this.logTails();
      await this.stop();
      throw new Error(`could not start a Redis Cluster: ${error.message}\n${logs}`, { cause: error });
    }
    this.startMs = Date.now() - begun;
    return this;
  }

  /** Kills every node (SIGKILL: nothing is saved) and removes their directories. Safe to call twice. */
  async stop() {
    for (const client of this.clients.values()) client.disconnect();
    this.clients.clear();
    await Promise.all(this.processes.map((p) => p.kill()));
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = undefined;
  }

  /** Sends one command to the node on `port`, e.g. `call(port, 'CLUSTER', 'INFO')`. */
  async call(port, ...args) {
    let client = this.clients.get(port);
    if (!client || client.status === 'end') {
      client = new Redis({
        host: HOST,
        port,
        connectTimeout: 1000,
        commandTimeout: 5000,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null, // a node that went away is asked again on a new connection
      });
      client.on('error', () => undefined);
      this.clients.set(port, client);
    }
    return client.call(...args.map(String));
  }

  /** The masters among the running nodes, as their ROLE says now. */
  async masters() {
    const roles = await this.#roles();
    return roles.filter((r) => r.role === 'master').map(({ port }) => ({ host: HOST, port }));
  }

  /** The replicas among the running nodes, as their ROLE says now, with the port of their master. */
  async replicas() {
    const roles = await this.#roles();
    return roles
      .filter((r) => r.role === 'slave')
      .map(({ port, masterPort }) => ({ host: HOST, port, masterPort }));
  }

  /** The hash slot of `key` (CLUSTER KEYSLOT, so hash tags count as Redis counts them). */
  async slotOf(key) {
    return Number(await this.call(this.#anyRunning(), 'CLUSTER', 'KEYSLOT', key));
  }

  /** The master that serves `slot`, as a running node sees the slot map now. */
  async nodeForSlot(slot) {
    const port = ownerOf(await this.#slots(), slot);
    if (port === undefined) throw new Error(`no master serves slot ${slot}`);
    return { host: HOST, port };
  }

  /** The master that serves `key`. */
  async masterOf(key) {
    return this.nodeForSlot(await this.slotOf(key));
  }

  /**
   * Moves `slot` with its keys to the master on `toPort` (IMPORTING / MIGRATING, MIGRATE `batch` keys at
   * a time, SETSLOT NODE on every master) and resolves, with the number of keys moved, once every node
   * agrees on the new owner. A client that still asks the old owner gets MOVED.
   */
  async moveSlot(slot, toPort, { batch = 100, timeoutMs = 10_000 } = {}) {
    const { port: fromPort } = await this.nodeForSlot(slot);
    if (fromPort === toPort) return { from: fromPort, to: toPort, keys: 0 };
    const masters = (await this.masters()).map((m) => m.port);
    if (!masters.includes(toPort)) throw new Error(`127.0.0.1:${toPort} is not a running master`);
    const call = (port, ...args) => this.call(port, ...args);
    const keys = await migrateSlot(call, { slot, fromPort, toPort, masters, batch });
    await this.waitUntilSettled({
      timeoutMs,
      also: async () => (ownerOf(await this.#slots(), slot) === toPort ? [] : [`slot ${slot} not yet moved`]),
    });
    return { from: fromPort, to: toPort, keys };
  }

  /** SIGKILLs the node on `port`, as a crash would; `waitForFailover` counts from this moment. */
  async kill(port) {
    const node = this.#process(port);
    const view = await this.call(port, 'CLUSTER', 'SLOTS').catch(() => []);
    this.kills.set(port, { at: Date.now(), slots: parseClusterSlots(view).filter((r) => r.master === port) });
    this.#forget(port);
    await node.kill();
  }

  /**
   * Starts the node on `port` again with its `nodes.conf`, so it rejoins as itself (a master that was
   * replaced comes back as a replica of its successor), and resolves once the cluster has settled.
   */
  async restart(port, { downMs = 0, timeoutMs = 20_000 } = {}) {
    this.#forget(port);
    await this.#process(port).restart({ downMs });
    this.kills.delete(port);
    await this.waitUntilSettled({ timeoutMs });
  }

  /** SIGKILLs every node at once, as if the whole cluster crashed (nothing is saved without persistence). */
  async killAll() {
    for (const { port } of this.processes) this.#forget(port);
    await Promise.all(this.processes.map((p) => p.kill()));
  }

  /**
   * Starts every node again (after `downMs`) with its `nodes.conf`, so each rejoins as itself (no
   * failover happens: every node was down), and resolves once the cluster has settled.
   */
  async restartAll({ downMs = 0, timeoutMs = 20_000 } = {}) {
    for (const { port } of this.processes) this.#forget(port);
    if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
    await Promise.all(this.processes.map((p) => p.restart()));
    this.kills.clear();
    await this.waitUntilSettled({ timeoutMs });
  }

  /**
   * Waits until another node serves the slots of the master on `oldMasterPort` and the cluster has
   * settled (`waitUntilSettled`). Resolves the new master's port and the milliseconds since `kill(port)`
   * (or since this call, for a master stopped some other way).
   */
  async waitForFailover(oldMasterPort, { timeoutMs = 20_000 } = {}) {
    const begun = Date.now();
    const kill = this.kills.get(oldMasterPort);
    const ranges = kill?.slots ?? (await this.#slots()).filter((r) => r.master === oldMasterPort);
    if (ranges.length === 0) throw new Error(`127.0.0.1:${oldMasterPort} serves no slots: not a master`);
    const slot = ranges[0].start;
    let port = 0;
    await this.waitUntilSettled({
      timeoutMs,
      also: async () => {
        port = ownerOf(await this.#slots(), slot);
        return port === oldMasterPort ? [`slot ${slot} still on ${oldMasterPort}`] : [];
      },
    });
    return { port, ms: Date.now() - (kill?.at ?? begun) };
  }

  /**
   * Waits until every running node says `cluster_state:ok`, knows every node and shows the same slot map
   * serving all 16384 slots, and every running replica's link to its master is up. `also` returns more
   * problems of the caller's own, asked once the rest is settled. Throws the problems left at `timeoutMs`.
   */
  async waitUntilSettled({ timeoutMs = 20_000, also = async () => [] } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const problems = await this.#problems()
        .then(async (found) => (found.length ? found : await also()))
        .catch((error) => [error.message]);
      if (problems.length === 0) return;
      if (Date.now() > deadline)
        throw new Error(`the cluster did not settle within ${timeoutMs} ms: ${problems.join('; ')}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** The last `lines` lines of every node's log, each headed by its address, for error messages. */
  logTails(lines = 12) {
    return this.processes
      .map((p) => `--- redis-server ${HOST}:${p.port}\n${logTail(p.dir, lines)}`)
      .join('\n');
  }

  async #problems() {
    const views = await Promise.all(
      this.#runningPorts().map(async (port) => {
        const [info, slots, role] = await Promise.all(
          [['CLUSTER', 'INFO'], ['CLUSTER', 'SLOTS'], ['ROLE']].map((c) => this.call(port, ...c)),
        );
        return { port, info, slots, role };
      }),
    );
    return clusterProblems(views, this.processes.length);
  }

  async #slots() {
    return parseClusterSlots(await this.call(this.#anyRunning(), 'CLUSTER', 'SLOTS'));
  }

  async #roles() {
    return Promise.all(
      this.#runningPorts().map(async (port) => {
        const [role, , masterPort] = await this.call(port, 'ROLE');
        return { port, role, masterPort: role === 'slave' ? Number(masterPort) : undefined };
      }),
    );
  }

  /** Ports of the nodes whose process runs (neither killed nor exited). */
  #runningPorts() {
    return this.processes
      .filter(({ child }) => child && child.exitCode === null && child.signalCode === null)
      .map((p) => p.port);
  }

  #anyRunning() {
    const [port] = this.#runningPorts();
    if (port === undefined) throw new Error('no node of the cluster is running');
    return port;
  }

  #process(port) {
    const node = this.processes.find((p) => p.port === port);
    if (!node) throw new Error(`${HOST}:${port} is not a node of this cluster`);
    return node;
  }

  #forget(port) {
    this.clients.get(port)?.disconnect();
    this.clients.delete(port);
  }

  /** Starts node `index` on two free ports (clients, bus), on others if those were taken meanwhile. */
  async #startNode(bin, index, taken) {
    const dir = path.join(this.dir, `node-${index}`);
    mkdirSync(dir);
    let lastError;
    for (let attempt = 0; attempt < 3; attempt++) {
      const [port, busPort] = [await unusedPort(taken), await unusedPort(taken)];
      // prettier-ignore
      const extraArgs = [
        '--cluster-enabled', 'yes', '--cluster-port', String(busPort), '--cluster-config-file', 'nodes.conf',
        '--cluster-node-timeout', String(this.options.nodeTimeoutMs),
        // A master waits 5 s by default before a diskless full sync, for more replicas to join it.
        '--repl-diskless-sync-delay', '0',
        '--logfile', path.join(dir, 'redis.log'), '--loglevel', 'notice',
        ...this.options.extraArgs,
      ];
      const { persistence, detached } = this.options;
      const node = new RedisProcess({ port, dir, persistence, detached, extraArgs });
      try {
        await node.start();
        // The port was free when chosen; make sure that the server answering there is this one.
        const [, served] = await this.call(port, 'CONFIG', 'GET', 'dir');
        if (served !== realpathSync(dir)) throw new Error(`port ${port} is served by another redis-server`);
        return node;
      } catch (error) {
        lastError = error;
        this.#forget(port);
        await node.kill();
        // Other ports help when these were taken, not when redis-server rejects its configuration.
        if (/FATAL CONFIG/.test(error.message)) break;
      }
    }
    throw new Error(`node ${index} did not start: ${lastError.message}\n${logTail(dir, 12)}`);
  }
}

/** The last `lines` lines of the log in a node's directory, headed by its path. */
function logTail(dir, lines) {
  const file = path.join(dir, 'redis.log');
  const text = existsSync(file) ? readFileSync(file, 'utf8').trimEnd() : '';
  return `(${file})\n${text ? text.split('\n').slice(-lines).join('\n') : '(empty)'}`;
}

/** A free port not in `taken` (those this cluster uses already), added to it. */
async function unusedPort(taken) {
  for (;;) {
    const port = await freePort();
    if (taken.has(port)) continue;
    taken.add(port);
    return port;
  }
}

/** Starts a private Redis Cluster and returns it. */
export async function startCluster(options) {
  return new RedisCluster(options).start();
}
