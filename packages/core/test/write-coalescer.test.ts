import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from '../../../test/harness/cluster.js';
import { useRedis } from '../../../test/harness/redis.js';
import { NodeStreams } from '../src/messaging/node-streams.js';
import { WriteCoalescer } from '../src/messaging/write-coalescer.js';

const server = useRedis();
const cluster = useCluster();

/** Counts the system-call-level writes of a connection's socket (one per write or writev). */
function countSocketWrites(redis: Redis): { writes: number } {
  const counter = { writes: 0 };
  type WriteFn = (...args: unknown[]) => void;
  const socket = (redis as unknown as { stream: { _write: WriteFn; _writev: WriteFn } }).stream;
  const write = socket._write.bind(socket);
  const writev = socket._writev.bind(socket);
  socket._write = (...args: unknown[]) => {
    counter.writes++;
    return write(...args);
  };
  socket._writev = (...args: unknown[]) => {
    counter.writes++;
    return writev(...args);
  };
  return counter;
}

describe('WriteCoalescer', () => {
  let redis: Redis;
  let coalescer: WriteCoalescer;

  beforeAll(async () => {
    redis = new Redis(server.urlFor(0), { lazyConnect: true });
    await redis.connect();
    coalescer = new WriteCoalescer();
  });

  afterAll(() => redis.disconnect());

  it('writes a lone command at once, without waiting for the turn to end', async () => {
    const counter = countSocketWrites(redis);
    coalescer.hold(redis);
    const reply = redis.publish('coalescer:lone', 'x');
    expect(counter.writes).toBe(1); // already on the socket, synchronously
    expect(await reply).toBe(0);
  });

  it('writes a burst of 100 commands of one turn in a handful of socket writes, all delivered', async () => {
    const counter = countSocketWrites(redis);
    const replies: Array<Promise<number>> = [];
    for (let i = 0; i < 100; i++) {
      coalescer.hold(redis);
      replies.push(redis.publish('coalescer:burst', String(i)));
    }
    const results = await Promise.all(replies);
    expect(results).toHaveLength(100);
    // first command alone, then flushes every 32 and the rest at the end of the turn: 1 + 3 + 1
    expect(counter.writes).toBeGreaterThan(1);
    expect(counter.writes).toBeLessThanOrEqual(6);
  });

  it('starts afresh in the next turn: its first command is written at once again', async () => {
    coalescer.hold(redis);
    await redis.publish('coalescer:turn', 'a');
    const counter = countSocketWrites(redis);
    coalescer.hold(redis);
    void redis.publish('coalescer:turn', 'b');
    expect(counter.writes).toBe(1);
  });
});

describe('WriteCoalescer on a Redis Cluster', () => {
  let client: Cluster;

  beforeAll(async () => {
    client = new Cluster(cluster.nodes);
    await client.ping();
  });

  afterAll(() => client.disconnect());

  it("coalesces a burst of SPUBLISH on the socket of the channel's master, all delivered", async () => {
    const nodes = new NodeStreams(client);
    const coalescer = new WriteCoalescer();
    const channel = 'hydra:service:mc:{coalesced-svc}';
    await client.spublish(channel, 'warm-up'); // the cluster client connects to a master on first use
    const master = nodes.connectionFor(channel)!;
    expect(`${master.options.port}`).toBe(`${(await cluster.masterOf(channel)).port}`);
    const counter = countSocketWrites(master);
    const replies: Array<Promise<unknown>> = [];
    for (let i = 0; i < 100; i++) {
      coalescer.hold(master);
      replies.push(master.spublish(channel, String(i)));
    }
    expect(await Promise.all(replies)).toHaveLength(100);
    expect(counter.writes).toBeGreaterThan(1);
    expect(counter.writes).toBeLessThanOrEqual(6);
  });
});
