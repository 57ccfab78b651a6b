import { Buffer, isUtf8 } from 'node:buffer';
import type { RedisClient } from '../redis-client.js';
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

/** A list entry as stored: its string, or its bytes when they are not valid UTF-8 (see {@link TakenMessage}). */
export type StoredEntry = string | Buffer;

/**
 * How a worker finished with a message:
 * - `done`: remove it (completed);
 * - `retry`: put it back, in received when `delayMs <= 0`, else in delayed, due in `delayMs`;
 * - `fail`: dead-letter it: remove it and RPUSH `deadLetter` (the message with `bdy.reason`) to incomplete.
 */
export type Settlement =
  | { kind: 'done'; raw: StoredEntry }
  | { kind: 'retry'; raw: StoredEntry; delayMs: number }
  | { kind: 'fail'; raw: StoredEntry; deadLetter: StoredEntry };

/** A message taken with a lease. */
export interface TakenMessage {
  /** The exact string from the list. */
  raw: string;
  /**
   * The entry's bytes when they are not valid UTF-8: `raw` (decoded with replacement characters) then
   * differs from what Redis holds and could never settle it, so the entry must be settled by these.
   */
  bytes?: Buffer;
  /** Delivery number, 1 for the first. */
  attempt: number;
  /** When it was first delivered (ms since the epoch, Redis clock). */
  firstDeliveredAt: number;
}

/** What one {@link QueueCommands.settleAndTake} did besides settling. */
export interface TakeResult {
  taken: TakenMessage[];
  /** Messages over the size limit moved to incomplete untouched instead of being taken. */
  oversized: number;
  /** Size in bytes of the largest of them (0 when none). */
  largestOversized: number;
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
    private readonly redis: RedisClient,
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

  /**
   * Applies `settlements`, then takes up to `take` messages leased for `leaseMs`; messages over
   * `maxBytes` are moved to incomplete as they are instead (`Infinity`: no limit).
   */
  async settleAndTake(
    settlements: readonly Settlement[],
    take: number,
    leaseMs: number,
    maxBytes = Infinity,
  ): Promise<TakeResult> {
    const done: StoredEntry[] = [];
    const retry: Array<StoredEntry | number> = [];
    const fail: StoredEntry[] = [];
    for (const s of settlements) {
      if (s.kind === 'done') done.push(s.raw);
      else if (s.kind === 'retry') retry.push(s.raw, s.delayMs);
      else fail.push(s.raw, s.deadLetter);
    }
    const limit = Number.isFinite(maxBytes) ? maxBytes : 0;
    const counts = [done.length, retry.length / 2, fail.length / 2];
    const args = [take, leaseMs, limit, ...counts, ...done, ...retry, ...fail];
    // Buffers, so that an entry that is not valid UTF-8 is still known by its exact bytes.
    const reply = (await this.run(settleAndTakeScript, this.takeKeys, args, true)) as Array<Buffer | number>;
    const taken: TakenMessage[] = [];
    for (let i = 2; i < reply.length; i += 3) {
      const bytes = reply[i] as Buffer;
      const message: TakenMessage = {
        raw: bytes.toString('utf8'),
        attempt: Number(reply[i + 1]),
        firstDeliveredAt: Number(reply[i + 2]),
      };
      if (!isUtf8(bytes)) message.bytes = bytes;
      taken.push(message);
    }
    return { taken, oversized: Number(reply[0]), largestOversized: Number(reply[1]) };
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

  /**
   * Runs one script (its reply's strings as Buffers when `buffers`); a refused permission becomes a
   * `RedisPermissionError` naming what to grant.
   */
  private run(
    script: LuaScript,
    keys: readonly string[],
    args: ReadonlyArray<StoredEntry | number>,
    buffers = false,
  ) {
    const reply = buffers ? script.runBuffer(this.redis, keys, args) : script.run(this.redis, keys, args);
    return explainRefusals({ redis: this.redis, keys: this.keys }, reply);
  }
}
