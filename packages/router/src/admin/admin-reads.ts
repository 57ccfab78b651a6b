import type { Hydra } from '@hydra-nest/core';
import type { RouteSync } from '../routing/route-sync.js';
import type { RouteTable } from '../routing/route-table.js';
import type { RouterStats } from './router-stats.js';

/** hydra-router lists at most this many flight-recorder entries per service in `list/services`. */
const LOG_ENTRIES_LISTED = 3;
/** `clear` drops the nodes entries not updated for longer, seconds (hydra-router's threshold). */
const CLEAR_AFTER_SECONDS = 5;

/** What a GET of the admin API answers: its status, `result`, and top-level extras (`list/nodes`). */
export interface AdminAnswer {
  statusCode: number;
  result: unknown;
  extra?: Record<string, unknown>;
  /** Set for `clear`, which redirects a browser to the dashboard. */
  location?: string;
}

/** What the admin reads use. */
export interface AdminReadsContext {
  hydra: Hydra;
  table: RouteTable;
  sync: RouteSync;
  stats: RouterStats;
  version: string;
}

/**
 * The GET side of hydra-router's admin API (`/v1/router/<name>[/<rest>]`), independent of the transport:
 * the HTTP admin API sends the answers in Hydra's response shape, the WebSocket gateway sends their
 * `result` as the reply body, as hydra-router does for `[get]/v1/router/...` messages.
 */
export class AdminReads {
  constructor(private readonly ctx: AdminReadsContext) {}

  /** Whether `name` is a GET of the admin API. */
  serves(name: string): boolean {
    return ['health', 'version', 'list', 'refresh', 'stats', 'clear'].includes(name);
  }

  /** The answer to `GET /v1/router/<name>/<rest>`, or undefined when there is no such read. */
  async answer(name: string, rest: string): Promise<AdminAnswer | undefined> {
    const { hydra, sync, stats, version } = this.ctx;
    switch (name) {
      case 'health':
        return ok(await hydra.health.snapshot());
      case 'version':
        return ok({ version });
      case 'list':
        return this.list(rest);
      case 'refresh':
        await sync.refresh(rest ? decodeURIComponent(rest) : undefined);
        return ok({});
      case 'stats':
        return ok(stats.snapshot());
      case 'clear':
        await hydra.discovery.removeStaleNodes(CLEAR_AFTER_SECONDS);
        return { statusCode: 302, result: {}, location: '/' };
      default:
        return undefined;
    }
  }

  private async list(thing: string): Promise<AdminAnswer | undefined> {
    const { hydra, table } = this.ctx;
    if (thing === 'routes') return ok(table.list());
    if (thing === 'nodes') {
      return {
        statusCode: 200,
        result: await hydra.discovery.nodes(),
        extra: {
          instanceID: hydra.instanceId,
          hostname: hydra.identity.hostName,
          version: hydra.identity.serviceVersion,
        },
      };
    }
    if (thing === 'services') {
      // Per live instance: its nodes entry, its health snapshot, and the service's latest log entries.
      const all = await hydra.discovery.healthAll();
      return ok(
        Object.values(all).flatMap((report) =>
          report.presence.map((instance) => ({
            ...instance,
            ...report.health.find((h) => h.instanceID === instance.instanceID),
            log: report.log.slice(0, LOG_ENTRIES_LISTED),
          })),
        ),
      );
    }
    return undefined;
  }
}

function ok(result: unknown): AdminAnswer {
  return { statusCode: 200, result };
}
