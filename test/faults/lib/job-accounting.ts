import type { Redis } from 'ioredis';
import { eventually } from '../../harness/wait.js';

/** Jobs queued against jobs done, each job id accounted for. */
export interface JobAccount {
  /** Distinct jobs done at least once. */
  completed: number;
  /** Jobs whose queueMessage resolved (Redis accepted them) and that were never done. */
  lost: number;
  /** Extra runs of jobs already done (at-least-once delivery). */
  duplicates: number;
  /** Jobs done although their queueMessage failed (the LPUSH was applied, its answer lost). */
  doneDespiteFailure: number;
}

/**
 * Waits until every accepted job was done (or `timeoutMs` passed), then accounts for each id:
 * `processed` maps id to times done (the workers' HINCRBY hash).
 */
export async function accountJobs(
  redis: Redis,
  processedKey: string,
  accepted: Set<string>,
  timeoutMs: number,
): Promise<JobAccount> {
  const done = async () => {
    const ids = await redis.hkeys(processedKey);
    const seen = new Set(ids);
    return [...accepted].every((id) => seen.has(id));
  };
  await eventually(done, { timeoutMs, intervalMs: 200, what: 'every queued job done' }).catch(
    () => undefined, // what is missing is reported as lost
  );
  const processed = await redis.hgetall(processedKey);
  let lost = 0;
  for (const id of accepted) if (!(id in processed)) lost++;
  let duplicates = 0;
  let doneDespiteFailure = 0;
  for (const [id, times] of Object.entries(processed)) {
    duplicates += Number(times) - 1;
    if (!accepted.has(id)) doneDespiteFailure++;
  }
  return { completed: Object.keys(processed).length, lost, duplicates, doneDespiteFailure };
}
