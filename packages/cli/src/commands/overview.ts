import type { QueueDepths } from '@hydra-nest/core';
import type { CliSession } from '../session.js';

/** One live instance in the `watch` view. */
export interface OverviewInstance {
  instanceId: string;
  address: string;
  version: string | null;
  /** Its health status (`up` unless its checks say otherwise); null when no snapshot was found. */
  status: string | null;
  uptimeSeconds: number | null;
  rssBytes: number | null;
  /** Seconds since its presence was last written. */
  seenSecondsAgo: number;
}

/** One service in the `watch` view. */
export interface OverviewService {
  serviceName: string;
  type: string | null;
  instances: OverviewInstance[];
  queue: QueueDepths;
}

/** One frame of `watch` (one line of `watch --json`). */
export interface Overview {
  /** When it was read (ISO 8601). */
  at: string;
  services: OverviewService[];
}

/**
 * Reads what `watch` shows: every registered service with its live instances, their health and the
 * depths of its queue. One SCAN for the services, then a few pipelined reads per service.
 */
export async function collectOverview(session: CliSession): Promise<Overview> {
  const { discovery } = session.hydra;
  const entries = (await discovery.services()).sort((a, b) => a.serviceName.localeCompare(b.serviceName));
  const names = entries.map((e) => e.serviceName);
  const live = await discovery.instancesOf(names);
  const now = Date.now();
  const services = await Promise.all(
    entries.map(async (entry): Promise<OverviewService> => {
      const instances = live.get(entry.serviceName) ?? [];
      const [health, queue] = await Promise.all([
        instances.length ? discovery.health(entry.serviceName) : Promise.resolve([]),
        session.queues.depths(entry.serviceName),
      ]);
      const healthOf = new Map(health.map((h) => [h.instanceID, h]));
      return {
        serviceName: entry.serviceName,
        type: entry.type ?? null,
        queue,
        instances: instances.map((i) => {
          const h = healthOf.get(i.instanceID);
          return {
            instanceId: i.instanceID,
            address: `${i.ip}:${i.port}`,
            version: i.version ?? null,
            status: h ? (h.status ?? 'up') : null,
            uptimeSeconds: h ? h.uptimeSeconds : null,
            rssBytes: h?.memory?.rss ?? null,
            seenSecondsAgo: Math.max(0, Math.round((now - i.updatedOnTS) / 1000)),
          };
        }),
      };
    }),
  );
  return { at: new Date(now).toISOString(), services };
}
