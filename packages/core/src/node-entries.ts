import type { HydraContext } from './context.js';
import type { NodeEntry } from './presence.js';
import { explainRefusal, explainRefusals } from './redis-permission.js';
import { pipelineOf } from './redis-client.js';
import { parseJsonOrUndefined } from './scan-keys.js';

/** A nodes-hash entry (live or dead) plus `elapsed`: whole seconds since its last update. */
export interface NodeInfo extends NodeEntry {
  elapsed: number;
}

/**
 * The parsed entries of every nodes hash, each with the hash that holds it: one HGETALL of Hydra's
 * shared hash; in Cluster layout, the service index (SMEMBERS), then one HGETALL per service. Values
 * that are not nodes are skipped.
 */
export async function readNodesByHash(ctx: HydraContext): Promise<Array<[hash: string, nodes: NodeInfo[]]>> {
  const { redis, keys } = ctx;
  const hashes = keys.nodesPerService
    ? (await explainRefusals(ctx, redis.smembers(keys.serviceIndex()))).map((s) => keys.nodesOf(s))
    : [keys.nodes()];
  if (hashes.length === 0) return [];
  const pipeline = pipelineOf(redis);
  for (const hash of hashes) pipeline.hgetall(hash);
  const replies = (await pipeline.exec()) ?? [];
  const now = Date.now();
  return hashes.map((hash, i) => {
    const [error, all] = replies[i] ?? [];
    if (error) throw explainRefusal(error, ctx);
    const nodes = Object.values(all as Record<string, string>).flatMap((value) => {
      const node = parseNode(value);
      return node ? [withElapsed(node, now)] : [];
    });
    return [hash, nodes];
  });
}

/** One nodes entry with `elapsed`, live or dead, or undefined when there is none. */
export async function readNode(ctx: HydraContext, instanceId: string): Promise<NodeInfo | undefined> {
  const { redis, keys } = ctx;
  if (keys.nodesPerService) {
    return (await readNodesByHash(ctx))
      .flatMap(([, nodes]) => nodes)
      .find((n) => n.instanceID === instanceId);
  }
  const node = parseNode(await explainRefusals(ctx, redis.hget(keys.nodes(), instanceId)));
  return node && withElapsed(node, Date.now());
}

/** Removes the entries not updated for more than `olderThanSeconds`; resolves how many were removed. */
export async function removeStaleNodes(ctx: HydraContext, olderThanSeconds: number): Promise<number> {
  const staleByHash = (await readNodesByHash(ctx))
    .map(([hash, nodes]) => ({
      hash,
      stale: nodes.filter((n) => n.elapsed > olderThanSeconds).map((n) => n.instanceID),
    }))
    .filter(({ stale }) => stale.length > 0);
  const removed = await Promise.all(
    staleByHash.map(({ hash, stale }) => explainRefusals(ctx, ctx.redis.hdel(hash, ...stale))),
  );
  return removed.reduce((sum, count) => sum + count, 0);
}

/** The node a nodes-hash value holds, or undefined when it is not one (not JSON, no instance id). */
export function parseNode(value: string | null | undefined): NodeEntry | undefined {
  const node = parseJsonOrUndefined<NodeEntry>(value);
  return node && typeof node === 'object' && typeof node.instanceID === 'string' ? node : undefined;
}

function withElapsed(node: NodeEntry, now: number): NodeInfo {
  return { ...node, elapsed: Math.floor((now - Date.parse(node.updatedOn)) / 1000) };
}
