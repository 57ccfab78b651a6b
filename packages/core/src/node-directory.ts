import type { HydraContext } from './context.js';
import type { NodeEntry } from './presence.js';
import { explainRefusal, explainRefusals } from './redis-permission.js';
import { parseJsonOrUndefined } from './scan-keys.js';
import { pipelineOf } from './redis-client.js';

/** When the {@link NodeDirectory} reads the whole nodes hash again. */
export interface NodeDirectoryOptions {
  /**
   * Longest time between two full reads of the nodes hash's ids, ms. In between, the hash's length
   * (HLEN) says whether instances came or went, which misses only an arrival and a removal that cancel
   * out (an operator pruning dead entries as an instance starts). Default 30000.
   */
  rereadMs?: number;
  /**
   * How long an id's presence key must have been missing before the id is checked only every
   * `rereadMs` (a dead instance: Hydra never removes its entry), ms. Default 60000.
   */
  dormantAfterMs?: number;
}

/** Fields per HMGET when a full read meets ids it does not know (a first read of a large hash). */
const FIELDS_PER_READ = 1000;

/**
 * An entry rewritten since a read sent at most this long before proves its writer alive: Hydra and
 * hydra-nest instances write their presence key, then their entry, every second (presence TTL 3 s).
 */
const REWRITE_PROVES_PRESENCE_MS = 5000;

/**
 * Which service each instance id in a nodes hash belongs to (Hydra's shared hash; in Cluster layout, one
 * service's own, see `Keyspace.nodesOf`), kept in memory so that the
 * instances of a service are found from the hash and their presence keys without walking the keyspace
 * (a SCAN costs Redis as much for every unrelated key as for ours). Every instance, Hydra 1.x or
 * hydra-nest, writes its entry there beside its presence key, so no instance is missed.
 *
 * A refresh costs one HLEN; the ids are read again (HKEYS, then one HMGET for ids never seen, whose
 * service never changes) only when the length moved, after {@link invalidate}, or every `rereadMs`.
 * Dead instances' entries stay in the hash (Hydra never removes them): their presence keys are checked
 * every lookup for a minute, then only every `rereadMs`. Memory and the cost of a full read grow with
 * them; `Discovery.removeStaleNodes` prunes them.
 *
 * @example
 * const directory = new NodeDirectory(ctx, ctx.keys.nodes());
 * await directory.refresh();
 * directory.candidatesOf('billing-svc'); // ids to check the presence keys of
 */
export class NodeDirectory {
  /** Instance id -> service name, or '' for an entry that is not a node (foreign or corrupt value). */
  private readonly serviceOf = new Map<string, string>();
  private readonly idsByService = new Map<string, Set<string>>();
  /** Instance id -> since when (ms) its presence key has been found missing. */
  private readonly absentSince = new Map<string, number>();
  /** Instance id -> its entry's `updatedOn` at the last lookup, and when that lookup was sent (ms). */
  private readonly lastEntry = new Map<string, { updatedOn: string; readAt: number }>();
  /** Service -> when (ms) its dormant ids were last handed out for a check. */
  private readonly dormantCheckedAt = new Map<string, number>();
  private readonly rereadMs: number;
  private readonly dormantAfterMs: number;
  /** Number of fields at the last full read; -1 before the first one. */
  private length = -1;
  private readAt = 0;
  private stale = true;
  private pending: Promise<boolean> | undefined;

  /**
   * @param hash the nodes hash to follow: Hydra's shared one, or one service's (see `Keyspace.nodesOf`)
   */
  constructor(
    private readonly ctx: HydraContext,
    private readonly hash: string,
    options: NodeDirectoryOptions = {},
  ) {
    this.rereadMs = options.rereadMs ?? 30_000;
    this.dormantAfterMs = options.dormantAfterMs ?? 60_000;
  }

  /**
   * Brings the directory up to date: one HLEN, and a full read when the hash changed, the directory
   * was invalidated, or the last full read is `rereadMs` old. Concurrent calls share one refresh.
   * Resolves whether ids not seen before were found.
   */
  refresh(): Promise<boolean> {
    this.pending ??= this.bringUpToDate().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /**
   * Says the nodes hash may have changed without its length showing it (an instance removed its entry
   * while another may have added one), so the next refresh reads every id again.
   */
  invalidate(): void {
    this.stale = true;
  }

  /**
   * The ids whose nodes entry names `service` (as of the last refresh) that are worth a presence check
   * now: all of them, except the dormant ones (see `dormantAfterMs`) between their checks.
   */
  candidatesOf(service: string, now = Date.now()): string[] {
    const ids = this.idsByService.get(service);
    if (!ids) return [];
    if (now - (this.dormantCheckedAt.get(service) ?? 0) >= this.rereadMs) {
      this.dormantCheckedAt.set(service, now);
      return [...ids];
    }
    return [...ids].filter((id) => {
      const since = this.absentSince.get(id);
      return since === undefined || now - since < this.dormantAfterMs;
    });
  }

  /**
   * Records the `updatedOn` of `id`'s entry as read by a lookup sent at `readAt`, and says whether the
   * entry was rewritten since the last lookup, recently enough to prove the instance present without
   * reading its presence key (see `REWRITE_PROVES_PRESENCE_MS`).
   */
  noteEntry(id: string, updatedOn: string, readAt: number): boolean {
    const last = this.lastEntry.get(id);
    this.lastEntry.set(id, { updatedOn, readAt });
    return (
      last !== undefined && last.updatedOn !== updatedOn && readAt - last.readAt <= REWRITE_PROVES_PRESENCE_MS
    );
  }

  /** Records what a presence check found for `id`. */
  notePresence(id: string, present: boolean, now = Date.now()): void {
    if (present) this.absentSince.delete(id);
    else if (!this.absentSince.has(id)) this.absentSince.set(id, now);
  }

  private async bringUpToDate(): Promise<boolean> {
    if (!this.stale && Date.now() - this.readAt < this.rereadMs) {
      if ((await explainRefusals(this.ctx, this.ctx.redis.hlen(this.hash))) === this.length) return false;
    }
    return this.readAll();
  }

  /** HKEYS, then the entries of ids not seen before (their service name), in one pipeline. */
  private async readAll(): Promise<boolean> {
    const { redis } = this.ctx;
    const startedAt = Date.now();
    this.stale = false;
    let ids: string[];
    try {
      ids = await explainRefusals(this.ctx, redis.hkeys(this.hash));
    } catch (error) {
      this.stale = true;
      throw error;
    }
    const current = new Set(ids);
    for (const id of this.serviceOf.keys()) if (!current.has(id)) this.forget(id);
    const unknown = ids.filter((id) => !this.serviceOf.has(id));
    if (unknown.length > 0) {
      const pipeline = pipelineOf(redis);
      for (let i = 0; i < unknown.length; i += FIELDS_PER_READ) {
        pipeline.hmget(this.hash, ...unknown.slice(i, i + FIELDS_PER_READ));
      }
      const replies = (await pipeline.exec()) ?? [];
      replies.forEach(([error, values], chunk) => {
        if (error) {
          this.stale = true;
          throw explainRefusal(error, this.ctx);
        }
        (values as Array<string | null>).forEach((value, i) => {
          // null: removed since HKEYS; the length differs now, so the next refresh reads again.
          if (value !== null) this.learn(unknown[chunk * FIELDS_PER_READ + i]!, serviceNameOf(value));
        });
      });
    }
    this.length = ids.length;
    this.readAt = startedAt;
    return unknown.length > 0;
  }

  private learn(id: string, service: string): void {
    this.serviceOf.set(id, service);
    if (!service) return;
    let ids = this.idsByService.get(service);
    if (!ids) this.idsByService.set(service, (ids = new Set()));
    ids.add(id);
  }

  private forget(id: string): void {
    const service = this.serviceOf.get(id);
    this.serviceOf.delete(id);
    this.absentSince.delete(id);
    this.lastEntry.delete(id);
    const ids = service ? this.idsByService.get(service) : undefined;
    ids?.delete(id);
    if (ids?.size === 0) this.idsByService.delete(service!);
  }
}

/** The service a nodes entry names, or '' when the value is not a node. */
function serviceNameOf(value: string): string {
  const node = parseJsonOrUndefined<Partial<NodeEntry>>(value);
  return node && typeof node === 'object' && typeof node.serviceName === 'string' ? node.serviceName : '';
}
