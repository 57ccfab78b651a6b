import type { Cluster } from 'ioredis';

/** How often the slot map is compared with the cluster's, ms. */
export const SLOT_CHECK_MS = 30_000;

/** One range of a CLUSTER SLOTS reply: first slot, last slot, then the master and replicas. */
type SlotRange = [
  first: number,
  last: number,
  ...nodes: Array<[host: string, port: number, id: string, info: unknown[]]>,
];

/**
 * Compares the client's slot map with the cluster's every `everyMs`, asking a master over the
 * connection the client already holds to it, and has ioredis read the map again only when they differ.
 * ioredis' own periodic read makes and closes a connection each time, which thousands of instances
 * turn into dozens of connections a second for a map that rarely changes. Changes that show (MOVED, a
 * pushed SUNSUBSCRIBE, a lost master) are followed at once elsewhere; this catches the rest, such as a
 * slot moved away from a service this instance does not call. Returns a function that stops checking.
 */
export function checkSlotMapPeriodically(command: Cluster, everyMs = SLOT_CHECK_MS): () => void {
  const check = async (): Promise<void> => {
    if (command.status !== 'ready') return;
    const master = command.nodes('master').find((node) => node.status === 'ready');
    try {
      const ranges: SlotRange[] | undefined = master ? await master.cluster('SLOTS') : undefined;
      if (ranges && sameOwners(command.slots, ranges)) return;
    } catch {
      // Asking failed (the master is going away): ioredis' own read picks a node that answers.
    }
    command.refreshSlotsCache();
  };
  const timer = setInterval(() => void check(), everyMs);
  timer.unref();
  const stop = () => clearInterval(timer);
  command.once('end', stop);
  return stop;
}

/** Whether `slots` (ioredis' map: slot -> node keys, master first) names the master of every range. */
function sameOwners(slots: readonly (string[] | undefined)[], ranges: SlotRange[]): boolean {
  for (const [first, last, master] of ranges) {
    if (!master) return false;
    const owner = `${master[0]}:${master[1]}`;
    for (let slot = first; slot <= last; slot++) if (slots[slot]?.[0] !== owner) return false;
  }
  return true;
}
