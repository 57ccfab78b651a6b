import type { QueueDepths, QueueListName, QueuePeekEntry } from '@hydra-nest/core';
import { UnknownServiceError } from '../cli-errors.js';
import { confirm } from '../confirm.js';
import { cell } from '../format.js';
import { renderTable } from '../table.js';
import type { CommandContext } from './command-context.js';

const LISTS: readonly QueueListName[] = ['received', 'inProgress', 'incomplete', 'delayed'];

/** What the lists are called on screen: Hydra's key names say little to an operator. */
const LABELS: Record<QueueListName, string> = {
  received: 'waiting',
  inProgress: 'in progress',
  incomplete: 'dead letters',
  delayed: 'delayed',
};

/** `queue stats <service>`: how many messages wait, run, are dead letters, are delayed, are leased. */
export async function queueStatsCommand(ctx: CommandContext, service: string): Promise<void> {
  const depths = await knownQueueDepths(ctx, service);
  const s = ctx.out.style;
  ctx.out.result({ service, ...depths }, () =>
    renderTable(
      [{ header: 'LIST' }, { header: 'MESSAGES', right: true }],
      [
        ...LISTS.map((list) => [
          `${list} (${LABELS[list]})`,
          list === 'incomplete' && depths.incomplete > 0
            ? s.red(String(depths.incomplete))
            : String(depths[list]),
        ]),
        [s.dim('leased (of in progress)'), s.dim(String(depths.leased))],
      ],
    ),
  );
}

/** One message of `queue peek --json`. */
export interface PeekRow {
  message: unknown;
  /** The stored string, when it is not JSON. */
  raw?: string;
  dueAt?: string;
  leaseExpiresAt?: string;
}

/** `queue peek <service> [--list L] [-n N]`: the next messages of one list, without taking them. */
export async function queuePeekCommand(
  ctx: CommandContext,
  service: string,
  list: QueueListName,
  count: number,
): Promise<void> {
  await knownQueueDepths(ctx, service);
  const entries = await ctx.session.queues.peek(service, list, count);
  const rows = entries.map(peekRow);
  ctx.out.result(rows, () =>
    renderTable(
      [
        { header: 'MID' },
        { header: list === 'delayed' ? 'DUE' : list === 'inProgress' ? 'LEASE UNTIL' : 'TO' },
        { header: 'BODY' },
      ],
      entries.map((e) => [
        cell(e.message?.mid),
        list === 'delayed'
          ? cell(e.dueAt?.toISOString())
          : list === 'inProgress'
            ? cell(e.leaseExpiresAt?.toISOString() ?? 'unleased')
            : cell(e.message?.to),
        e.message ? cell(e.message.bdy) : ctx.out.style.red(`not JSON: ${e.raw.slice(0, 60)}`),
      ]),
      `no messages in ${list} (${LABELS[list]})`,
    ),
  );
}

/** `queue requeue <service> [-n N]`: dead letters back to waiting, oldest first. */
export async function queueRequeueCommand(
  ctx: CommandContext,
  service: string,
  count: number | undefined,
  keepReason: boolean,
): Promise<void> {
  await knownQueueDepths(ctx, service);
  const requeued = await ctx.session.queues.requeueIncomplete(service, count, { keepReason });
  ctx.out.result(
    { service, requeued },
    () => `requeued ${requeued} dead letter${requeued === 1 ? '' : 's'} of ${service}`,
  );
}

/** `queue purge <service> [--list L|all] [--yes]`: deletes messages, after confirmation. */
export async function queuePurgeCommand(
  ctx: CommandContext,
  service: string,
  list: QueueListName | 'all',
  yes: boolean,
): Promise<void> {
  const depths = await knownQueueDepths(ctx, service);
  const count = list === 'all' ? LISTS.reduce((sum, l) => sum + depths[l], 0) : depths[list];
  const what = list === 'all' ? 'every list' : `${list} (${LABELS[list]})`;
  await confirm(
    `Delete ${count} message${count === 1 ? '' : 's'} from ${what} of the queue of ${service}?`,
    yes,
  );
  const removed = await ctx.session.queues.purge(service, list);
  ctx.out.result(
    { service, list, removed },
    () => `deleted ${removed} message${removed === 1 ? '' : 's'} from ${what} of ${service}`,
  );
}

/**
 * The depths of a service's queue; a service counts as known when it is registered or its queue holds
 * messages (a producer may queue work before any worker registered).
 */
async function knownQueueDepths({ session }: CommandContext, service: string): Promise<QueueDepths> {
  const [depths, registered] = await Promise.all([
    session.queues.depths(service),
    session.isRegistered(service),
  ]);
  const held = LISTS.reduce((sum, list) => sum + depths[list], 0);
  if (!registered && held === 0) throw new UnknownServiceError(service, session.where);
  return depths;
}

function peekRow(entry: QueuePeekEntry): PeekRow {
  const row: PeekRow = { message: entry.message ?? null };
  if (entry.message === undefined) row.raw = entry.raw;
  if (entry.dueAt) row.dueAt = entry.dueAt.toISOString();
  if (entry.leaseExpiresAt) row.leaseExpiresAt = entry.leaseExpiresAt.toISOString();
  return row;
}
