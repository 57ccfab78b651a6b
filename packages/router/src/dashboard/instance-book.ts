import type { NodeInfo, StoredHealthSnapshot } from '@hydra-nest/core';
import type { InstanceHealth, InstanceStatus, InstanceView } from './dashboard-state.js';
import type { ServiceAsk, ServiceRead } from './registry-reader.js';

interface Remembered {
  service: string;
  view: InstanceView;
  /** When its nodes entry was found gone (it stopped); absent while it is in the nodes hash. */
  goneAt?: number;
}

const STATUS_ORDER: Record<InstanceStatus, number> = { up: 0, 'not-answering': 1, stopped: 2 };

/**
 * The instances the dashboard shows, across reads: those in the nodes hash (answering or not), and for
 * a while those whose entry vanished (stopped), so that a departure stays visible instead of a row
 * silently disappearing. Dead entries that Hydra never removes drop off after `silentRetentionMs`.
 */
export class InstanceBook {
  private readonly known = new Map<string, Remembered>();

  constructor(
    private readonly stoppedRetentionMs: number,
    private readonly silentRetentionMs: number,
  ) {}

  /**
   * Which instances of which services to read now, from the nodes hash: the services of its recent
   * entries, of recently stopped instances and `alwaysShown`.
   */
  plan(nodes: NodeInfo[], alwaysShown: readonly string[], now: number): Map<string, ServiceAsk> {
    const asks = new Map<string, ServiceAsk>();
    const askOf = (service: string) => {
      let ask = asks.get(service);
      if (!ask) asks.set(service, (ask = { live: [], gone: [] }));
      return ask;
    };
    for (const service of alwaysShown) askOf(service);
    const inHash = new Set<string>();
    for (const node of nodes) {
      inHash.add(node.instanceID);
      if (node.elapsed * 1000 > this.silentRetentionMs) {
        this.known.delete(node.instanceID); // silent for long: a dead entry nobody removed
        continue;
      }
      askOf(node.serviceName).live.push(node.instanceID);
    }
    for (const [id, entry] of this.known) {
      if (inHash.has(id)) continue;
      entry.goneAt ??= now;
      entry.view = { ...entry.view, status: 'stopped', health: 'unknown' };
      if (now - entry.goneAt > this.stoppedRetentionMs) this.known.delete(id);
      else askOf(entry.service).gone.push(id);
    }
    return asks;
  }

  /** The instances to show per service after a read; `nodes` as given to {@link plan}. */
  views(nodes: NodeInfo[], reads: Map<string, ServiceRead>): Map<string, InstanceView[]> {
    const byService = new Map<string, InstanceView[]>([...reads.keys()].map((s) => [s, []]));
    for (const node of nodes) {
      const read = reads.get(node.serviceName);
      const present = read?.present.get(node.instanceID);
      if (!read || present === undefined) continue; // not asked: past its retention
      const previous = this.known.get(node.instanceID);
      const snapshot = read.health.get(node.instanceID);
      const view: InstanceView = {
        id: node.instanceID,
        ip: String(node.ip ?? ''),
        port: String(node.port ?? ''),
        version: String(node.version ?? ''),
        hostName: String(node.hostName ?? ''),
        status: present ? 'up' : 'not-answering',
        health: present ? healthOf(snapshot) : 'unknown',
        startedAt: startedAt(snapshot) ?? previous?.view.startedAt,
        lastSeenAt: Date.parse(node.updatedOn) || (previous?.view.lastSeenAt ?? 0),
        rssBytes: snapshot?.memory?.rss ?? previous?.view.rssBytes,
      };
      this.known.set(node.instanceID, { service: node.serviceName, view });
    }
    for (const { service, view } of this.known.values()) byService.get(service)?.push(view);
    for (const list of byService.values()) list.sort(byStatusThenAddress);
    return byService;
  }
}

function healthOf(snapshot: StoredHealthSnapshot | undefined): InstanceHealth {
  if (!snapshot) return 'unknown';
  return snapshot.status ?? 'up';
}

/** Start time from the snapshot's uptime at its write, so it does not drift between writes. */
function startedAt(snapshot: StoredHealthSnapshot | undefined): number | undefined {
  const written = snapshot ? Date.parse(snapshot.updatedOn ?? snapshot.sampledOn) : NaN;
  const uptime = Number(snapshot?.uptimeSeconds);
  return Number.isFinite(written) && Number.isFinite(uptime)
    ? Math.round(written - uptime * 1000)
    : undefined;
}

function byStatusThenAddress(a: InstanceView, b: InstanceView): number {
  return (
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    compare(a.ip, b.ip) ||
    Number(a.port) - Number(b.port) ||
    compare(a.port, b.port) ||
    compare(a.id, b.id)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
