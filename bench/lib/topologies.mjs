// The two Redis topologies the cluster and scale benches compare, both private to the run: one
// redis-server, and a 3-master / 3-replica Redis Cluster. Each node can be read through INFO (CPU, calls
// and time per command, memory, clients), and two readings give what the node did in between.
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { RedisCluster } from '../../scripts/lib/redis-cluster.mjs';
import { startRedis } from '../../scripts/lib/redis-process.mjs';
import { trackCluster, trackRedis } from './proc.mjs';

/** Commands the bench itself sends to read the nodes; left out of every figure. */
const OWN_COMMANDS = new Set(['info', 'select', 'ping', 'client|setname', 'client|setinfo']);

/** One Redis node of a topology, read with INFO on a connection of its own. */
export class NodeReader {
  constructor(port, role) {
    this.port = port;
    this.role = role;
    this.client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 1, lazyConnect: true });
    this.client.on('error', () => undefined);
  }

  /**
   * CPU ms (user + sys), calls and µs per command, used_memory, connected clients and socket reads
   * (`total_reads_processed`: about one per round trip a client makes), now.
   */
  async read() {
    if (this.client.status === 'wait') await this.client.connect();
    const text = await this.client.info('all');
    const field = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(text)?.[1] ?? 0);
    const commands = {};
    for (const [, name, calls, usec] of text.matchAll(/^cmdstat_(\S+):calls=(\d+),usec=(\d+)/gm)) {
      if (!OWN_COMMANDS.has(name)) commands[name] = { calls: Number(calls), usec: Number(usec) };
    }
    return {
      at: performance.now(),
      cpuMs: (field('used_cpu_sys') + field('used_cpu_user')) * 1000,
      commands,
      usedMemory: field('used_memory'),
      clients: field('connected_clients'),
      reads: field('total_reads_processed'),
    };
  }

  close() {
    this.client.disconnect();
  }
}

/**
 * What a node did between two readings: CPU ms and share of one core, calls and µs per command,
 * total calls, the used_memory change, and the clients connected at the end.
 */
export function nodeDelta(before, after) {
  const ms = after.at - before.at;
  const commands = {};
  let calls = 0;
  for (const [name, now] of Object.entries(after.commands)) {
    const was = before.commands[name] ?? { calls: 0, usec: 0 };
    const delta = { calls: now.calls - was.calls, usec: now.usec - was.usec };
    if (delta.calls > 0) {
      commands[name] = delta;
      calls += delta.calls;
    }
  }
  const cpuMs = after.cpuMs - before.cpuMs;
  return {
    ms,
    cpuMs,
    corePct: (cpuMs / ms) * 100,
    calls,
    commands,
    memoryDelta: after.usedMemory - before.usedMemory,
    clients: after.clients,
    reads: after.reads - before.reads,
  };
}

/** Reads every node of a topology at once. */
export function readAll(topology) {
  return Promise.all(topology.nodes.map((node) => node.read()));
}

/** Per node deltas between two `readAll` results (same order as `topology.nodes`). */
export function deltas(topology, before, after) {
  return topology.nodes.map((node, i) => ({
    port: node.port,
    role: node.role,
    ...nodeDelta(before[i], after[i]),
  }));
}

/** Adds the deltas of one window to running totals (same nodes, same order). */
export function addDeltas(total, more) {
  if (!total) return more.map((d) => ({ ...d, commands: { ...d.commands } }));
  return total.map((t, i) => {
    const m = more[i];
    const commands = { ...t.commands };
    for (const [name, c] of Object.entries(m.commands)) {
      const was = commands[name] ?? { calls: 0, usec: 0 };
      commands[name] = { calls: was.calls + c.calls, usec: was.usec + c.usec };
    }
    const ms = t.ms + m.ms;
    const cpuMs = t.cpuMs + m.cpuMs;
    return {
      ...t,
      ms,
      cpuMs,
      corePct: (cpuMs / ms) * 100,
      calls: t.calls + m.calls,
      reads: t.reads + m.reads,
      commands,
      memoryDelta: t.memoryDelta + m.memoryDelta,
      clients: m.clients,
    };
  });
}

/**
 * Starts the topologies named in `names` ('single', 'cluster': 3 masters with `replicasPerMaster`
 * replicas each) with `extraArgs` on every node, and registers them for cleanup on every exit path. Each: `name`, `cfg` (what a bench child needs to
 * connect: `redisUrl` or `clusterNodes`), `nodes` (NodeReaders: masters first), `masters`, `flush()`,
 * `stop()`.
 */
export async function startTopologies(names, extraArgs, { replicasPerMaster = 1 } = {}) {
  const topologies = [];
  try {
    for (const name of names) {
      topologies.push(
        name === 'single' ? await startSingle(extraArgs) : await startCluster(extraArgs, replicasPerMaster),
      );
    }
  } catch (error) {
    await Promise.all(topologies.map((t) => t.stop()));
    throw error;
  }
  return topologies;
}

async function startSingle(extraArgs) {
  const redis = await startRedis({ extraArgs });
  trackRedis(redis);
  const nodes = [new NodeReader(redis.port, 'master')];
  return {
    name: 'single',
    cfg: { redisUrl: redis.url },
    nodes,
    masters: nodes,
    server: redis,
    flush: () => nodes[0].client.flushall(),
    async stop() {
      nodes[0].close();
      await redis.stop();
      trackRedis(undefined);
    },
  };
}

async function startCluster(extraArgs, replicasPerMaster) {
  const cluster = new RedisCluster({ extraArgs, replicasPerMaster });
  trackCluster(cluster);
  await cluster.start();
  const masters = (await cluster.masters()).map((m) => new NodeReader(m.port, 'master'));
  const replicas = (await cluster.replicas()).map(
    (r) => new NodeReader(r.port, `replica of ${r.masterPort}`),
  );
  const nodes = [...masters, ...replicas];
  return {
    name: 'cluster',
    cfg: { clusterNodes: cluster.nodes.map((n) => `${n.host}:${n.port}`) },
    nodes,
    masters,
    server: cluster,
    flush: () => Promise.all(masters.map((m) => m.client.flushall())),
    async stop() {
      for (const node of nodes) node.close();
      await cluster.stop();
      trackCluster(undefined);
    },
  };
}
