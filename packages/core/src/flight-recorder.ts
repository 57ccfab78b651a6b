import type { HydraContext } from './context.js';
import { explainRefusal, explainRefusals, isRedisPermissionRefusal } from './redis-permission.js';
import { parseJsonOrUndefined, scanKeys } from './scan-keys.js';
import { pipelineOf } from './redis-client.js';

/** Entry types Hydra and its tools use; any other string is stored as well. */
export type FlightRecordType = 'info' | 'error' | 'debug' | 'fatal' | (string & {});

/** One flight-recorder entry, fields in Hydra's order (`sendToHealthLog`). */
export interface FlightRecord {
  /** ISO time of the entry. */
  ts: string;
  serviceName: string;
  type: FlightRecordType;
  processID: number;
  /** Whatever was logged: a string or any JSON value. */
  msg: unknown;
}

/** Hydra keeps the newest 64 entries of each instance ... */
const MAX_ENTRIES = 64;
/** ... for a week after the last write or health refresh. */
const LOG_TTL_SECONDS = 604800;
/**
 * ioredis states in which a command would wait for a reconnection instead of running. A cluster client
 * closed while it was reconnecting stays `disconnecting`, and a MULTI on it never settles.
 */
const DISCONNECTED = new Set(['close', 'reconnecting', 'disconnecting', 'end']);

/**
 * Hydra's flight recorder: a short, bounded log per instance in `P:S:I:health:log`, which operators read
 * after the fact (`hydra-cli healthlog`, hydra-router's dashboard, Hydra's `getServiceHealthAll`).
 *
 * @example
 * const recorder = new FlightRecorder(ctx);
 * await recorder.append('error', { reason: 'payment gateway timed out', orderId: 42 });
 * const recent = await recorder.serviceLog('billing-svc', 10);
 */
export class FlightRecorder {
  constructor(private readonly ctx: HydraContext) {}

  /**
   * Appends an entry and trims the list to the newest 64 (LPUSH, LTRIM, EXPIRE one week, in one MULTI;
   * unlike Hydra, without a SELECT inside it, which is what keeps Hydra off Redis Cluster).
   *
   * Never throws and never waits for a reconnection: resolves false when the entry could not be written
   * (Redis away), because logging must not break or stall the caller.
   */
  async append(type: FlightRecordType, msg: unknown): Promise<boolean> {
    const { redis, keys, identity } = this.ctx;
    if (DISCONNECTED.has(redis.status)) return false;
    const record: FlightRecord = {
      ts: new Date().toISOString(),
      serviceName: identity.serviceName,
      type,
      processID: identity.processId,
      msg,
    };
    const key = keys.healthLog(identity.serviceName, identity.instanceId);
    try {
      const results = await redis
        .multi()
        .lpush(key, JSON.stringify(record))
        .ltrim(key, 0, MAX_ENTRIES - 1)
        .expire(key, LOG_TTL_SECONDS)
        .exec();
      return Array.isArray(results) && results.every(([error]) => !error);
    } catch {
      return false;
    }
  }

  /**
   * The newest `count` entries of one instance of this service (this instance by default), newest first.
   * Entries that are not JSON are skipped.
   */
  async latest(count = MAX_ENTRIES, instanceId = this.ctx.identity.instanceId): Promise<FlightRecord[]> {
    const { redis, keys, identity } = this.ctx;
    if (count <= 0) return [];
    return parseFlightRecords(
      await explainRefusals(
        this.ctx,
        redis.lrange(keys.healthLog(identity.serviceName, instanceId), 0, count - 1),
      ),
    );
  }

  /**
   * The merged log of every instance of `service` (SCAN, then one pipeline of LRANGE), newest first, cut
   * to `count`. Hydra's `getServiceHealthLog` returns only the first instance's entries.
   */
  async serviceLog(service: string, count = MAX_ENTRIES): Promise<FlightRecord[]> {
    return readServiceLog(this.ctx, service, count);
  }
}

/**
 * The merged flight-recorder entries of every instance of `service`, newest first, at most `count`.
 * Shared by {@link FlightRecorder.serviceLog} and discovery's health report.
 */
export async function readServiceLog(
  ctx: HydraContext,
  service: string,
  count = MAX_ENTRIES,
): Promise<FlightRecord[]> {
  if (count <= 0) return [];
  const logKeys = await scanKeys(ctx.redis, ctx.keys.healthLogPattern(service));
  if (logKeys.length === 0) return [];
  const pipeline = pipelineOf(ctx.redis);
  for (const key of logKeys) pipeline.lrange(key, 0, count - 1);
  const results = (await pipeline.exec()) ?? [];
  const refused = results.find(([error]) => isRedisPermissionRefusal(error));
  if (refused) throw explainRefusal(refused[0], ctx);
  const records = results.flatMap(([error, raw]) => (error ? [] : parseFlightRecords(raw as string[])));
  return records.sort(newestFirst).slice(0, count);
}

/**
 * Sort comparator: newest entry first. ISO timestamps of one format order as strings, and the sort is
 * stable, so one instance's own order is kept among equal timestamps.
 */
export function newestFirst(a: FlightRecord, b: FlightRecord): number {
  return a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0;
}

/** Parses raw flight-recorder list items, skipping any that are not entries. */
export function parseFlightRecords(raw: string[]): FlightRecord[] {
  return raw.flatMap((line) => {
    const record = parseJsonOrUndefined<FlightRecord>(line);
    return record && typeof record === 'object' && typeof record.ts === 'string' ? [record] : [];
  });
}
