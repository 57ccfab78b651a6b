import type { Redis } from 'ioredis';
import type { Keyspace } from '../keyspace.js';
import { explainRefusals } from '../redis-permission.js';
import type { LuaScript } from './lua-script.js';
import {
  promoteScript,
  reclaimScript,
  reclaimUnleasedScript,
  renewScript,
  settleAndTakeScript,
} from './queue-scripts.js';

/**
 * How a worker finished with a message:
 * - `done`: remove it (completed);
 * - `retry`: put it back, in received when `delayMs <= 0`, else in delayed, due in `delayMs`;
 * - `fail`: dead-letter it: remove it and RPUSH `deadLetter` (the message with `bdy.reason`) to incomplete.
 */
export type Settlement =
  | { kind: 'done'; raw: string }
  | { kind: 'retry'; raw: string; delayMs: number }
  | { kind: 'fail'; raw: string; deadLetter: string };

/** A message taken with a lease. */
export interface TakenMessage {
  /** The exact string from the list. */
  raw: string;
  /** Delivery number, 1 for the first. */
  attempt: number;
  /** When it was first delivered (ms since the epoch, Redis clock). */
  firstDeliveredAt: number;
}

/**
 * The Redis side of leased consumption for one service: each method is one round trip running one
 * Lua script of `queue-scripts.ts`. Used by `QueueConsumer`; no state beyond the key names.
 */
export class QueueCommands {
  private readonly takeKeys: string[];
  private readonly reclaimKeys: string[];
  private readonly unleasedKeys: string[];
  private readonly promoteKeys: string[];
  private readonly leasesKey: string;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keyspace,
    readonly service: string,
  ) {
    const received = keys.queueReceived(service);
    const inProgress = keys.queueInProgress(service);
    const leases = keys.queueLeases(service);
    const dups = keys.queueDuplicates(service);
    const delayed = keys.queueDelayed(service);
    this.leasesKey = leases;
    this.takeKeys = [
      received,
      inProgress,
      leases,
      keys.queueDeliveries(service),
      dups,
      delayed,
      keys.queueIncomplete(service),
    ];
    this.reclaimKeys = [received, inProgress, leases, dups];
    this.unleasedKeys = [received, inProgress, leases, keys.queueUnleasedSeen(service)];
    this.promoteKeys = [delayed, received];
  }

  /** Applies `settlements`, then takes up to `take` messages leased for `leaseMs`. */
  async settleAndTake(
    settlements: readonly Settlement[],
    take: number,
    leaseMs: number,
  ): Promise<TakenMessage[]> {
    const done: string[] = [];
    const retry: Array<string | number> = [];
    const fail: string[] = [];
    for (const s of settlements) {
      if (s.kind === 'done') done.push(s.raw);
      else if (s.kind === 'retry') retry.push(s.raw, s.delayMs);
      else fail.push(s.raw, s.deadLetter);
    }
    const args = [take, leaseMs, done.length, retry.length / 2, fail.length / 2, ...done, ...retry, ...fail];
    const reply = (await this.run(settleAndTakeScript, this.takeKeys, args)) as Array<string | number>;
    const taken: TakenMessage[] = [];
    for (let i = 0; i < reply.length; i += 3) {
      taken.push({
        raw: reply[i] as string,
        attempt: Number(reply[i + 1]),
        firstDeliveredAt: Number(reply[i + 2]),
      });
    }
    return taken;
  }

  /** Extends the leases of `raws` to `leaseMs` from now. Returns how many were still leased. */
  async renew(raws: readonly string[], leaseMs: number): Promise<number> {
    if (raws.length === 0) return 0;
    return Number(await this.run(renewScript, [this.leasesKey], [leaseMs, ...raws]));
  }

  /** Returns up to `limit` messages with an expired lease to received. Resolves how many moved. */
  async reclaimExpired(limit = 1000): Promise<{ moved: number; expired: number }> {
    const [moved, expired] = (await this.run(reclaimScript, this.reclaimKeys, [limit])) as number[];
    return { moved, expired };
  }

  /** Returns unleased (Hydra-taken) in-progress messages older than `afterMs` to received. */
  async reclaimUnleased(afterMs: number): Promise<number> {
    return Number(await this.run(reclaimUnleasedScript, this.unleasedKeys, [afterMs]));
  }

  /**
   * Moves up to `limit` due delayed messages to received. Resolves how many moved and in how many ms
   * the next one is due (`undefined` when none is waiting).
   */
  async promoteDue(limit = 1000): Promise<{ moved: number; nextDueInMs: number | undefined }> {
    const [moved, nextDue, now] = (await this.run(promoteScript, this.promoteKeys, [limit])) as number[];
    return { moved, nextDueInMs: nextDue < 0 ? undefined : Math.max(0, nextDue - now) };
  }

  /** Runs one script; a refused permission becomes a `RedisPermissionError` naming what to grant. */
  private run(script: LuaScript, keys: readonly string[], args: ReadonlyArray<string | number>) {
    return explainRefusals({ redis: this.redis, keys: this.keys }, script.run(this.redis, keys, args));
  }
}
