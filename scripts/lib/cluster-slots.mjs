// What RedisCluster reads in a cluster's slot map, and how it moves a slot from one master to another.

export const SLOT_COUNT = 16384;

/** `[{ start, end, master, replicas }]` (ports) from a CLUSTER SLOTS reply, sorted by first slot. */
export function parseClusterSlots(reply) {
  return reply
    .map(([start, end, master, ...replicas]) => ({
      start: Number(start),
      end: Number(end),
      master: Number(master[1]),
      replicas: replicas.map((r) => Number(r[1])).sort((a, b) => a - b),
    }))
    .sort((a, b) => a.start - b.start);
}

/** The master port that serves `slot` in parsed `ranges`, or undefined. */
export function ownerOf(ranges, slot) {
  return ranges.find((r) => r.start <= slot && slot <= r.end)?.master;
}

/**
 * What keeps a cluster from being settled, from each running node's view (`{ port, info, slots, role }`:
 * its CLUSTER INFO, CLUSTER SLOTS and ROLE replies): a state other than ok, nodes it does not know,
 * slots nobody serves, a slot map that differs from the first node's, a replica whose link is not up.
 * An empty list when the cluster is settled.
 */
export function clusterProblems(views, nodeCount) {
  const problems = [];
  const maps = views.map((v) => describe(parseClusterSlots(v.slots)));
  views.forEach(({ port, info, slots, role }, i) => {
    const state = /cluster_state:(\w+)/.exec(info)?.[1];
    const known = Number(/cluster_known_nodes:(\d+)/.exec(info)?.[1]);
    const served = slots.reduce((sum, [start, end]) => sum + Number(end) - Number(start) + 1, 0);
    if (state !== 'ok') problems.push(`${port} says cluster_state:${state}`);
    if (known !== nodeCount) problems.push(`${port} knows ${known} of ${nodeCount} nodes`);
    if (served !== SLOT_COUNT) problems.push(`${port} sees ${served} of ${SLOT_COUNT} slots served`);
    if (maps[i] !== maps[0]) problems.push(`${port} sees slots ${maps[i]}, ${views[0].port} ${maps[0]}`);
    if (role[0] === 'slave' && role[3] !== 'connected') problems.push(`replica ${port} link is ${role[3]}`);
  });
  return problems;
}

const describe = (ranges) =>
  ranges.map((r) => `${r.start}-${r.end}@${r.master}[${r.replicas.join(',')}]`).join(' ');

/**
 * Moves `slot` and its keys from the master on `fromPort` to the one on `toPort` as
 * `redis-cli --cluster reshard` does: IMPORTING on the target, MIGRATING on the source, MIGRATE of the
 * keys `batch` at a time, then SETSLOT NODE on the target, the source and the other `masters`.
 * `call(port, ...args)` sends one command to a node. Resolves the number of keys moved.
 */
export async function migrateSlot(call, { slot, fromPort, toPort, masters, batch = 100 }) {
  const [fromId, toId] = await Promise.all([fromPort, toPort].map((p) => call(p, 'CLUSTER', 'MYID')));
  await call(toPort, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
  await call(fromPort, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', toId);
  let moved = 0;
  for (;;) {
    const keys = await call(fromPort, 'CLUSTER', 'GETKEYSINSLOT', slot, batch);
    if (keys.length === 0) break;
    await call(fromPort, 'MIGRATE', '127.0.0.1', toPort, '', 0, 5000, 'KEYS', ...keys);
    moved += keys.length;
  }
  // The target first, so that once the source lets go there is an owner that accepts the slot's keys.
  const others = masters.filter((p) => p !== toPort && p !== fromPort);
  for (const port of [toPort, fromPort, ...others])
    await call(port, 'CLUSTER', 'SETSLOT', slot, 'NODE', toId);
  return moved;
}
