import { beforeAll, describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { sleep } from '../../../test/harness/wait.js';
import { NodeDirectory } from '../src/node-directory.js';
import type { RedisClient } from '../src/redis-client.js';
import { registryContext, uniqueService, writeInstance } from './registry-support.js';

const topology = useTopology();
const { keys } = topology;
let redis: RedisClient;

beforeAll(() => {
  redis = topology.client();
});

describe('NodeDirectory', () => {
  it('reads the ids once, then only an HLEN until the nodes hash changes', async () => {
    const service = uniqueService('dir');
    const a = await writeInstance(redis, { service });
    await redis.hset(keys.nodesOf(service), 'f'.repeat(32), 'not json');
    const directory = new NodeDirectory(registryContext(redis, 'reader'), keys.nodesOf(service));
    const first = await topology.monitor(() => directory.refresh());
    expect(first.map((c) => c[0])).toEqual(['hkeys', 'hmget']);
    expect(directory.candidatesOf(service)).toEqual([a]);

    const quiet = await topology.monitor(() => directory.refresh());
    expect(quiet.map((c) => c[0])).toEqual(['hlen']);

    const b = await writeInstance(redis, { service });
    const grown = await topology.monitor(async () => expect(await directory.refresh()).toBe(true));
    // Only the new id's entry is read: a service never changes for an id.
    expect(grown.map((c) => c.slice(0, 1).concat(c.slice(2)))).toEqual([['hlen'], ['hkeys'], ['hmget', b]]);
    expect(directory.candidatesOf(service).sort()).toEqual([a, b].sort());

    await redis.hdel(keys.nodesOf(service), a);
    expect(await directory.refresh()).toBe(false);
    expect(directory.candidatesOf(service)).toEqual([b]);
  });

  it('shares one refresh between concurrent calls', async () => {
    const directory = new NodeDirectory(registryContext(redis, 'reader'), keys.nodesOf('any-svc'));
    const commands = await topology.monitor(() =>
      Promise.all([directory.refresh(), directory.refresh(), directory.refresh()]),
    );
    expect(commands.filter((c) => c[0] === 'hkeys')).toHaveLength(1);
  });

  it('checks the ids of long-dead instances only every rereadMs', async () => {
    const service = uniqueService('dormant');
    const live = await writeInstance(redis, { service });
    const dead = await writeInstance(redis, { service, ttlSeconds: 0 });
    const directory = new NodeDirectory(registryContext(redis, 'reader'), keys.nodesOf(service), {
      rereadMs: 300,
      dormantAfterMs: 0,
    });
    await directory.refresh();
    expect(directory.candidatesOf(service).sort()).toEqual([live, dead].sort());
    directory.notePresence(live, true);
    directory.notePresence(dead, false);
    expect(directory.candidatesOf(service)).toEqual([live]);
    await sleep(350);
    expect(directory.candidatesOf(service).sort()).toEqual([live, dead].sort());
    expect(directory.candidatesOf(service)).toEqual([live]);
    directory.notePresence(dead, true); // back (same id, e.g. after a long stall)
    expect(directory.candidatesOf(service).sort()).toEqual([live, dead].sort());
  });
});

describe('NodeDirectory.noteEntry', () => {
  it('says an entry proves presence only when rewritten since a lookup at most 5 s before', () => {
    const directory = new NodeDirectory(registryContext(redis, 'reader'), keys.nodes());
    const id = 'a'.repeat(32);
    expect(directory.noteEntry(id, 't1', 10_000)).toBe(false); // first sight: nothing to compare with
    expect(directory.noteEntry(id, 't2', 13_000)).toBe(true); // rewritten within 3 s
    expect(directory.noteEntry(id, 't2', 14_000)).toBe(false); // the same entry proves nothing
    expect(directory.noteEntry(id, 't3', 19_001)).toBe(false); // rewritten, but the last lookup is too old
    expect(directory.noteEntry(id, 't4', 24_001)).toBe(true); // exactly 5 s
  });
});
