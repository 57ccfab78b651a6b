import { afterEach, describe, expect, it } from 'vitest';
import { useCluster } from '../../../test/harness/cluster.js';
import { eventually } from '../../../test/harness/wait.js';
import { createClusterClients } from '../src/cluster-connection.js';
import { checkSlotMapPeriodically } from '../src/cluster-slot-check.js';
import type { HydraContext } from '../src/context.js';
import { HydraError } from '../src/errors.js';
import { Hydra } from '../src/hydra.js';
import { silentLogger } from '../src/logger.js';
import { QueueConsumer, WorkQueue } from '../src/queue/index.js';

// Issue #17: subscriptions follow a slot move, and a master SIGKILLed under load is survived: requests
// complete or fail with a typed error, none hangs, queued jobs are not lost.
const cluster = useCluster();
const started: Hydra[] = [];
const consumers: QueueConsumer[] = [];

afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.stop()));
  await Promise.all(started.splice(0).map((h) => h.stop()));
});

async function node(serviceName: string): Promise<Hydra> {
  const hydra = new Hydra({
    serviceName,
    serviceIP: '127.0.0.1',
    servicePort: 4000 + started.length,
    logger: silentLogger,
    redis: { cluster: { nodes: cluster.nodes } },
  });
  started.push(hydra);
  await hydra.start();
  return hydra;
}

async function echoService(serviceName: string): Promise<Hydra> {
  const hydra = await node(serviceName);
  hydra.messaging.setHandler((m) => {
    if (m.rmid === undefined) hydra.messaging.reply(m, { echo: m.bdy }).catch(() => undefined);
  });
  return hydra;
}

/** Requests, one after another, until `stop()`: counts what completed, failed (typed) and hung. */
function steadyLoad(client: Hydra, to: string, timeoutMs: number) {
  const figures = {
    completed: 0,
    failed: 0,
    hung: 0,
    untyped: 0,
    lastFailureAt: 0,
    /** The first completion after the last failure so far. */
    resumedAt: 0,
    errors: new Set<string>(),
  };
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const outcome = await Promise.race([
        client.messaging.request({ to, bdy: { i } }, { timeoutMs }).then(
          (reply) => ((reply.bdy as { echo: { i: number } }).echo.i === i ? 'ok' : 'wrong'),
          (error: unknown) => error,
        ),
        new Promise((resolve) => setTimeout(() => resolve('hung'), timeoutMs + 2000)),
      ]);
      if (outcome === 'ok') {
        figures.completed++;
        if (figures.resumedAt < figures.lastFailureAt) figures.resumedAt = Date.now();
      } else if (outcome === 'hung') figures.hung++;
      else {
        figures.failed++;
        figures.lastFailureAt = Date.now();
        if (outcome instanceof HydraError) figures.errors.add(outcome.name);
        else figures.untyped++;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  })();
  return {
    figures,
    async stop() {
      running = false;
      await loop;
      return figures;
    },
  };
}

/** One line of figures per fault, for the closing note and bench/README.md. */
function report(
  fault: string,
  figures: ReturnType<typeof steadyLoad>['figures'],
  faultAt: number,
  extra: Record<string, unknown>,
): void {
  const { completed, failed, hung, errors, resumedAt } = figures;
  const resumedMs = resumedAt > faultAt ? resumedAt - faultAt : 0;
  console.log(
    `[cluster] ${fault}: ${JSON.stringify({ completed, failed, hung, errors: [...errors], resumedMs, ...extra })}`,
  );
}

/** CLUSTER SLOTS calls and connections received, summed over every node of the cluster. */
async function slotMapReads(ports: number[]): Promise<{ calls: number; connections: number }> {
  let calls = 0;
  let connections = 0;
  for (const port of ports) {
    const info = String(await cluster.call(port, 'INFO', 'all'));
    calls += Number(/cmdstat_cluster\|slots:calls=(\d+)/.exec(info)?.[1] ?? 0);
    connections += Number(/total_connections_received:(\d+)/.exec(info)?.[1] ?? 0);
  }
  return { calls, connections };
}

describe('Redis Cluster slot map', () => {
  it('is compared over a connection already open, and read again only when a slot moved unseen', async () => {
    const { command } = createClusterClients({ nodes: cluster.nodes, slotsRefreshInterval: 0 }, {});
    await command.connect();
    const stop = checkSlotMapPeriodically(command, 200);
    try {
      await command.set('{slot-check}:warm', '1'); // a connection to a master to ask over
      const ports = [...(await cluster.masters()), ...(await cluster.replicas())].map((n) => n.port);
      await slotMapReads(ports);
      const before = await slotMapReads(ports);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const after = await slotMapReads(ports);
      expect(after.calls - before.calls).toBeGreaterThanOrEqual(3);
      expect(after.connections - before.connections).toBe(0); // ioredis' own read makes one each time

      // A slot this client never sends to moves: no MOVED tells it, the comparison does.
      const slot = await cluster.slotOf('{slot-check-moved}');
      const from = (await cluster.nodeForSlot(slot)).port;
      const to = (await cluster.masters()).find((m) => m.port !== from)!.port;
      await cluster.moveSlot(slot, to);
      await eventually(() => command.slots[slot]?.[0] === `127.0.0.1:${to}`, {
        timeoutMs: 2000,
        what: 'the client to learn the new owner',
      });
    } finally {
      stop();
      command.disconnect();
    }
  });

  it('is not read on a timer by an idle instance: no CLUSTER SLOTS, no new connection', async () => {
    await echoService('idle-svc');
    const ports = [...(await cluster.masters()), ...(await cluster.replicas())].map((n) => n.port);
    await slotMapReads(ports); // the harness's own connections made first
    const before = await slotMapReads(ports);
    await new Promise((resolve) => setTimeout(resolve, 3500));
    const after = await slotMapReads(ports);
    // ioredis' refresher would make a connection and send CLUSTER SLOTS every period (was 1 s).
    expect(after.calls - before.calls).toBe(0);
    expect(after.connections - before.connections).toBe(0);
  });
});

/** Calls of each listed command on the master on `port` so far (INFO commandstats). */
async function callsOn(port: number, commands: string[]): Promise<number> {
  const stats = String(await cluster.call(port, 'INFO', 'commandstats'));
  return commands.reduce(
    (sum, c) => sum + Number(new RegExp(`cmdstat_${c}:calls=(\\d+)`).exec(stats)?.[1] ?? 0),
    0,
  );
}

describe('Redis Cluster presence', () => {
  it("writes an instance's presence, health and nodes entry to its service's master alone", async () => {
    // A service whose slot is served by another master than the one Hydra's shared nodes hash sits on.
    const sharedNodesOwner = (await cluster.masterOf('hydra:service:nodes')).port;
    let serviceName = '';
    for (let i = 0; !serviceName; i++) {
      const candidate = `one-trip-svc-${i}`;
      if ((await cluster.masterOf(`{${candidate}}`)).port !== sharedNodesOwner) serviceName = candidate;
    }
    const hydra = await node(serviceName);
    const own = (await cluster.masterOf(`{${serviceName}}`)).port;
    expect(
      await cluster.call(own, 'HEXISTS', `hydra:service:{${serviceName}}:hn:nodes`, hydra.instanceId),
    ).toBe(1);
    const writes = ['setex', 'hset', 'expire'];
    const ports = (await cluster.masters()).map((m) => m.port);
    const before = await Promise.all(ports.map((port) => callsOn(port, writes)));
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const grew = await Promise.all(ports.map(async (port, i) => (await callsOn(port, writes)) - before[i]!));
    // Two refreshes or more: presence SETEX and the entry's HSET each time, health SETEX every other.
    expect(grew[ports.indexOf(own)]).toBeGreaterThanOrEqual(4);
    expect(grew.filter((_, i) => ports[i] !== own)).toEqual([0, 0]);
  });
});

describe('Redis Cluster connections', () => {
  it('holds none to a replica while it reads from masters, though the nodes it was given name replicas', async () => {
    const replicas = await cluster.replicas();
    const replicaClients = async () => {
      let total = 0;
      for (const { port } of replicas) {
        total += Number(
          /connected_clients:(\d+)/.exec(String(await cluster.call(port, 'INFO', 'clients')))?.[1],
        );
      }
      return total;
    };
    const before = await replicaClients();
    // Instances started four at a time, as a deployment rolls out: without closing them, ioredis left
    // about one replica connection for every two instances here (it reads the slot map there, or sends
    // READONLY as it learns a listed node's role).
    const names = Array.from({ length: 12 }, (_, i) => `replica-free-svc-${i % 3}`);
    for (let i = 0; i < names.length; i += 4)
      await Promise.all(names.slice(i, i + 4).map((name) => node(name)));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(await replicaClients()).toBe(before);
  });
});

describe('Redis Cluster faults', () => {
  it('follows a slot move: the instance listens on the new owner and requests are answered again', async () => {
    const service = await echoService('mover-svc');
    const client = await node('client-svc');
    const load = steadyLoad(client, 'mover-svc:/', 2000);
    await eventually(() => load.figures.completed > 20);
    const slot = await cluster.slotOf('{mover-svc}');
    const from = await cluster.nodeForSlot(slot);
    const to = (await cluster.masters()).find((m) => m.port !== from.port)!;
    const movedAt = Date.now();
    await cluster.moveSlot(slot, to.port);
    const before = load.figures.completed;
    await eventually(() => load.figures.completed > before + 20, { timeoutMs: 10_000 });
    const figures = await load.stop();
    report('slot move', figures, movedAt, { slot, from: from.port, to: to.port });
    expect(figures.hung).toBe(0);
    expect(figures.untyped).toBe(0);
    const channel = service.keys.instanceChannel('mover-svc', service.instanceId);
    const [, subscribers] = (await cluster.call(to.port, 'PUBSUB', 'SHARDNUMSUB', channel)) as [
      string,
      number,
    ];
    expect(subscribers).toBe(1);
  });

  it('survives the SIGKILL of a master under load: the replica takes over, none hangs, no job is lost', async () => {
    const service = await echoService('sturdy-svc');
    const client = await node('client-svc');
    const ctx: HydraContext = {
      redis: service.redis,
      keys: service.keys,
      identity: service.identity,
      logger: silentLogger,
    };
    const queue = new WorkQueue(ctx);
    const queued = 50;
    for (let n = 0; n < queued; n++)
      await queue.queueMessage({ to: 'sturdy-svc:/', frm: 'client-svc:/', bdy: { n } });
    // The service's subscriber, on the master killed below, also holds a watched service's announcements.
    await service.instances.watch('watched-svc');
    const announcements = service.keys.announceChannel('watched-svc');
    const load = steadyLoad(client, 'sturdy-svc:/', 2000);
    await eventually(() => load.figures.completed > 20);
    const master = await cluster.masterOf('{sturdy-svc}');
    await cluster.kill(master.port);
    const killedAt = Date.now();
    const failover = await cluster.waitForFailover(master.port, { timeoutMs: 20_000 });
    const completedAfter = load.figures.completed;
    await eventually(() => load.figures.completed > completedAfter + 20, { timeoutMs: 15_000 });
    const figures = await load.stop();
    await eventually(
      async () =>
        (await service.discovery.instances('sturdy-svc')).some((i) => i.instanceID === service.instanceId),
      { timeoutMs: 10_000, what: 'presence renewed on the new master' },
    );
    // Classic subscriptions live on one node: the promoted replica must have it again, once.
    await eventually(
      async () => {
        const counts = await Promise.all(
          (await cluster.masters()).map((m) => cluster.call(m.port, 'PUBSUB', 'NUMSUB', announcements)),
        );
        return counts.reduce<number>((sum, answer) => sum + Number((answer as [string, number])[1]), 0) === 1;
      },
      { timeoutMs: 10_000, what: 'the announcement channel subscribed again after the failover' },
    );
    const done = new Set<number>();
    const consumer = new QueueConsumer(ctx, { concurrency: 8 }, (job) => {
      done.add((job.message.bdy as { n: number }).n);
    });
    consumers.push(consumer);
    await consumer.start();
    await eventually(() => done.size === queued, { timeoutMs: 10_000, what: 'every queued job done' });
    report('master SIGKILL', figures, killedAt, { failoverMs: failover.ms, jobsLost: queued - done.size });
    expect(figures.hung).toBe(0);
    expect(figures.untyped).toBe(0);
    await cluster.restart(master.port);
  });
});
