import type { HydraContext } from './context.js';
import { parseJsonOrUndefined, scanKeys } from './scan-keys.js';

/** One flight-recorder entry, in Hydra's field order. */
export interface FlightRecord {
  ts: string;
  serviceName: string;
  type: string;
  processID: number;
  msg: unknown;
}

/** Hydra keeps the newest 64 entries of each instance for a week. */
const MAX_ENTRIES = 64;
const LOG_TTL_SECONDS = 604800;

/**
 * Hydra's flight recorder: a short, bounded log per instance in Redis that operators read after the
 * fact (`hydra-cli healthlog`, the hydra-router dashboard).
 */
export class FlightRecorder {
  constructor(private readonly ctx: HydraContext) {}

  /**
   * Appends an entry, trimmed to the newest 64, in one transaction. Never throws: returns false when the
   * entry could not be written (Redis away), because logging must not break the caller.
   */
  async append(type: string, msg: unknown): Promise<boolean> {
    const { redis, keys, identity } = this.ctx;
    const record: FlightRecord = {
      ts: new Date().toISOString(),
      serviceName: identity.serviceName,
      type,
      processID: identity.processId,
      msg,
    };
    const key = keys.healthLog(identity.serviceName, identity.instanceId);
    try {
      // No SELECT inside MULTI (Hydra does that): it is what keeps Hydra off Redis Cluster.
      const result = await redis
        .multi()
        .lpush(key, JSON.stringify(record))
        .ltrim(key, 0, MAX_ENTRIES - 1)
        .expire(key, LOG_TTL_SECONDS)
        .exec();
      return Array.isArray(result) && result.every(([error]) => !error);
    } catch {
      return false;
    }
  }

  /** The newest `count` entries of one instance (this one by default), newest first. */
  async latest(count = MAX_ENTRIES, instanceId = this.ctx.identity.instanceId): Promise<FlightRecord[]> {
    const { redis, keys, identity } = this.ctx;
    const raw = await redis.lrange(keys.healthLog(identity.serviceName, instanceId), 0, count - 1);
    return parseRecords(raw);
  }

  /**
   * The merged log of every instance of a service, newest first. (Hydra's `getServiceHealthLog` returns
   * only one instance's entries.)
   */
  async serviceLog(service: string, count = MAX_ENTRIES): Promise<FlightRecord[]> {
    return readServiceLog(this.ctx, service, count);
  }
}

/** The merged flight-recorder entries of every instance of `service`, newest first. */
export async function readServiceLog(
  ctx: HydraContext,
  service: string,
  count = MAX_ENTRIES,
): Promise<FlightRecord[]> {
  const logKeys = await scanKeys(ctx.redis, ctx.keys.healthLogPattern(service));
  if (logKeys.length === 0) return [];
  const pipeline = ctx.redis.pipeline();
  for (const key of logKeys) pipeline.lrange(key, 0, count - 1);
  const results = (await pipeline.exec()) ?? [];
  const records = results.flatMap(([error, raw]) => (error ? [] : parseRecords(raw as string[])));
  records.sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0));
  return records.slice(0, count);
}

function parseRecords(raw: string[]): FlightRecord[] {
  return raw.flatMap((line) => {
    const record = parseJsonOrUndefined<FlightRecord>(line);
    return record && typeof record === 'object' ? [record] : [];
  });
}
