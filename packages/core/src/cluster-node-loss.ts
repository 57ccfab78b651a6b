import type { Cluster, Redis } from 'ioredis';

/** How long after losing a master the slot map is read again, and again until it names a successor, ms. */
const REREAD_MS = 500;
/** How long a lost master is waited for to be replaced before the periodic reads take over, ms. */
const GIVE_UP_MS = 20_000;

/**
 * Reads the cluster's slot map again as soon as the command connection loses a master, then every
 * half second until the map names another owner for that master's slots (its replica took over).
 * A failover is so followed within about half a second of the cluster making it, without reading the
 * slot map every second on a timer: ioredis reads it over a connection of its own, made and closed
 * each time, which thousands of instances would turn into thousands of connections a second.
 * Returns a function that stops following.
 */
export function rereadSlotsOnNodeLoss(command: Cluster): () => void {
  /** Lost masters still named in the slot map -> when they were lost (ms). */
  const lost = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  const ownsSlots = (node: string): boolean => command.slots.some((nodes) => nodes?.[0] === node);
  const reread = () => {
    timer = undefined;
    command.refreshSlotsCache(() => {
      const now = Date.now();
      for (const [node, since] of lost) {
        if (!ownsSlots(node) || now - since > GIVE_UP_MS) lost.delete(node);
      }
      if (lost.size > 0) schedule(REREAD_MS);
    });
  };
  const schedule = (delayMs: number) => {
    if (timer || !isRunning(command)) return;
    timer = setTimeout(reread, delayMs);
    timer.unref();
  };
  const onNodeLost = (redis: Redis) => {
    const node = `${redis.options.host}:${redis.options.port}`;
    if (!isRunning(command) || lost.has(node) || !ownsSlots(node)) return;
    lost.set(node, Date.now());
    schedule(0);
  };
  command.on('-node', onNodeLost);
  return () => {
    command.off('-node', onNodeLost);
    if (timer) clearTimeout(timer);
    timer = undefined;
    lost.clear();
  };
}

/** Whether the cluster client is in use (not closing or closed by its owner). */
function isRunning(command: Cluster): boolean {
  return command.status !== 'end' && command.status !== 'disconnecting' && command.status !== 'close';
}
