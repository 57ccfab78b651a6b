import type { UmfMessage } from '@hydra-nest/umf';
import type { HydraContext } from '../context.js';
import { execOrThrow } from '../pipeline.js';
import { explainRefusals } from '../redis-permission.js';
import { parseStored, withoutReason } from './message-strings.js';
import { QueueError } from './queue-errors.js';
import { requeueScript } from './queue-scripts.js';
import { pipelineOf } from '../redis-client.js';

/** The lists of a service's work queue, as operator verbs name them. */
export type QueueListName = 'received' | 'inProgress' | 'incomplete' | 'delayed';

const LISTS: readonly QueueListName[] = ['received', 'inProgress', 'incomplete', 'delayed'];

/** How many messages each part of a service's queue holds. */
export interface QueueDepths {
  /** Waiting to be taken (`mqrecieved`). */
  received: number;
  /** Taken and not yet marked (`mqinprogress`), by Hydra 1.x and hydra-nest workers alike. */
  inProgress: number;
  /** Dead letters (`mqincomplete`). */
  incomplete: number;
  /** Waiting for their due time (delayed messages and retries with backoff). */
  delayed: number;
  /** In-progress messages held by a hydra-nest worker's lease; `inProgress - leased` are Hydra-taken. */
  leased: number;
}

/** One message shown by {@link QueueAdmin.peek}. */
export interface QueuePeekEntry {
  /** The exact stored string. */
  raw: string;
  /** The parsed message; `undefined` when the string is not JSON. */
  message: UmfMessage | undefined;
  /** For delayed messages: when they become due. */
  dueAt?: Date;
  /** For in-progress messages: when their lease expires; absent when unleased (taken by Hydra 1.x). */
  leaseExpiresAt?: Date;
}

/**
 * Operator verbs on any service's work queue: depths, peek, requeue dead letters, purge.
 * `WorkQueue` adds the Hydra verbs on top.
 */
export class QueueAdmin {
  constructor(protected readonly ctx: HydraContext) {}

  /**
   * How many messages wait, run, failed, are delayed and are leased.
   *
   * @example
   * await queue.depths('images-svc'); // { received: 12, inProgress: 3, incomplete: 0, delayed: 1, leased: 3 }
   */
  async depths(service: string = this.ctx.identity.serviceName): Promise<QueueDepths> {
    const k = this.ctx.keys;
    const results = await execOrThrow(
      pipelineOf(this.ctx.redis)
        .llen(k.queueReceived(service))
        .llen(k.queueInProgress(service))
        .llen(k.queueIncomplete(service))
        .zcard(k.queueDelayed(service))
        .zcard(k.queueLeases(service)),
      this.ctx,
    );
    const [received, inProgress, incomplete, delayed, leased] = results.map(([, n]) => Number(n));
    return { received, inProgress, incomplete, delayed, leased };
  }

  /**
   * Up to `count` messages of one list without changing anything, in the order they will be handled:
   * received next-first, in-progress and incomplete oldest-first, delayed soonest-first.
   */
  async peek(service: string, list: QueueListName, count = 10): Promise<QueuePeekEntry[]> {
    checkList(service, list);
    return explainRefusals(this.ctx, this.peekList(service, list, count));
  }

  private async peekList(service: string, list: QueueListName, count: number): Promise<QueuePeekEntry[]> {
    const n = Math.max(0, Math.floor(count));
    if (n === 0) return [];
    const { redis, keys } = this.ctx;
    let entries: QueuePeekEntry[];
    if (list === 'delayed') {
      const flat = await redis.zrange(keys.queueDelayed(service), 0, n - 1, 'WITHSCORES');
      entries = [];
      for (let i = 0; i < flat.length; i += 2)
        entries.push({ ...entry(flat[i]), dueAt: new Date(Number(flat[i + 1])) });
      return entries;
    }
    if (list === 'incomplete')
      return (await redis.lrange(keys.queueIncomplete(service), 0, n - 1)).map(entry);
    const key = list === 'received' ? keys.queueReceived(service) : keys.queueInProgress(service);
    const raws = (await redis.lrange(key, -n, -1)).reverse();
    entries = raws.map(entry);
    if (list === 'inProgress' && raws.length > 0) {
      const scores = await redis.zmscore(keys.queueLeases(service), ...raws);
      scores.forEach((score, i) => {
        if (score !== null) entries[i].leaseExpiresAt = new Date(Number(score));
      });
    }
    return entries;
  }

  /**
   * Moves up to `count` dead letters (default: all), oldest first, back to received as new arrivals.
   * The `bdy.reason` the dead-lettering added is removed unless `keepReason` is set, so the message
   * is again what its producer sent (DTO validation with `forbidNonWhitelisted` would reject the extra
   * field). Resolves how many were moved.
   */
  async requeueIncomplete(
    service: string,
    count?: number,
    options: { keepReason?: boolean } = {},
  ): Promise<number> {
    const { redis, keys } = this.ctx;
    const stop = count === undefined ? -1 : Math.floor(count) - 1;
    if (stop < -1) return 0;
    const raws =
      count === 0
        ? []
        : await explainRefusals(this.ctx, redis.lrange(keys.queueIncomplete(service), 0, stop));
    let moved = 0;
    for (let i = 0; i < raws.length; i += 500) {
      const args = raws
        .slice(i, i + 500)
        .flatMap((raw) => [raw, options.keepReason ? raw : withoutReason(raw)]);
      const keysOfScript = [keys.queueIncomplete(service), keys.queueReceived(service)];
      moved += Number(await explainRefusals(this.ctx, requeueScript.run(redis, keysOfScript, args)));
    }
    return moved;
  }

  /**
   * Deletes one list (or `'all'`, including hydra-nest's lease and delivery bookkeeping) of a service's
   * queue. Purging `inProgress` also drops its leases: workers still running those messages finish
   * them, but nothing is redelivered. Resolves how many messages were removed.
   */
  async purge(service: string, list: QueueListName | 'all'): Promise<number> {
    if (list !== 'all') checkList(service, list);
    const { redis, keys } = this.ctx;
    const lists = list === 'all' ? LISTS : [list];
    let removed = 0;
    for (const name of lists) {
      const raws = await explainRefusals(
        this.ctx,
        name === 'delayed'
          ? redis.zrange(keys.queueDelayed(service), 0, -1)
          : redis.lrange(this.listKey(service, name), 0, -1),
      );
      const tx = redis.multi().del(this.listKey(service, name));
      if (name === 'inProgress') {
        tx.del(keys.queueLeases(service), keys.queueDuplicates(service), keys.queueUnleasedSeen(service));
      }
      if (name === 'inProgress' || name === 'delayed') {
        for (let i = 0; i < raws.length; i += 500)
          tx.hdel(keys.queueDeliveries(service), ...raws.slice(i, i + 500));
      }
      if (list === 'all') tx.del(keys.queueDeliveries(service));
      await execOrThrow(tx, this.ctx);
      removed += raws.length;
    }
    return removed;
  }

  private listKey(service: string, list: QueueListName): string {
    const k = this.ctx.keys;
    if (list === 'received') return k.queueReceived(service);
    if (list === 'inProgress') return k.queueInProgress(service);
    if (list === 'incomplete') return k.queueIncomplete(service);
    return k.queueDelayed(service);
  }
}

function entry(raw: string): QueuePeekEntry {
  return { raw, message: parseStored(raw) };
}

function checkList(service: string, list: string): void {
  if (!(LISTS as readonly string[]).includes(list)) {
    throw new QueueError(
      `queue of ${service}: unknown list "${list}"; use one of ${LISTS.join(', ')} (or "all" to purge)`,
    );
  }
}
