import type { InstanceInfo, NodeInfo, StoredHealthSnapshot } from '@hydra-nest/core';
import { bytes, cell, duration, shortId } from '../format.js';
import type { Style } from '../style.js';
import { renderTable } from '../table.js';
import type { CommandContext } from './command-context.js';

/** One row of `services --json`. */
export interface ServiceRow {
  serviceName: string;
  /** The registry entry's `type`, null when the service gave none. */
  type: string | null;
  registeredOn: string;
  /** Live instances now. */
  instances: number;
}

/** `services`: every registered service and how many instances of it are live. */
export async function servicesCommand({ session, out }: CommandContext): Promise<void> {
  const { discovery } = session.hydra;
  const entries = (await discovery.services()).sort((a, b) => a.serviceName.localeCompare(b.serviceName));
  const live = await discovery.instancesOf(entries.map((e) => e.serviceName));
  const rows: ServiceRow[] = entries.map((entry) => ({
    serviceName: entry.serviceName,
    type: entry.type ?? null,
    registeredOn: entry.registeredOn,
    instances: live.get(entry.serviceName)?.length ?? 0,
  }));
  const s = out.style;
  out.result(rows, () =>
    renderTable(
      [
        { header: 'SERVICE' },
        { header: 'INSTANCES', right: true },
        { header: 'TYPE' },
        { header: 'REGISTERED' },
      ],
      rows.map((r) => [
        s.bold(r.serviceName),
        r.instances > 0 ? s.green(String(r.instances)) : s.dim('0'),
        cell(r.type),
        r.registeredOn,
      ]),
      'no services registered',
    ),
  );
}

/** The columns `nodes` and `presence` share: who an instance is and where it runs. */
const INSTANCE_COLUMNS = [
  { header: 'SERVICE' },
  { header: 'INSTANCE' },
  { header: 'VERSION' },
  { header: 'ADDRESS' },
  { header: 'HOST' },
  { header: 'PID', right: true },
];

/** `nodes [service]`: every nodes-hash entry (live or dead), with seconds since its last update. */
export async function nodesCommand({ session, out }: CommandContext, service?: string): Promise<void> {
  if (service) await session.requireService(service);
  const nodes = (await session.hydra.discovery.nodes())
    .filter((node) => !service || node.serviceName === service)
    .sort((a, b) => a.serviceName.localeCompare(b.serviceName) || a.elapsed - b.elapsed);
  const s = out.style;
  out.result(nodes, () =>
    renderTable(
      [...INSTANCE_COLUMNS, { header: 'LAST SEEN', right: true }],
      nodes.map((n: NodeInfo) => [
        s.bold(n.serviceName),
        n.instanceID,
        cell(n.version),
        `${n.ip}:${n.port}`,
        n.hostName,
        String(n.processID),
        // Presence lives 3 s: an entry older than that is a dead instance (Hydra never removes it).
        n.elapsed <= 3 ? s.green(`${duration(n.elapsed)} ago`) : s.dim(`${duration(n.elapsed)} ago`),
      ]),
      'no nodes',
    ),
  );
}

/** `routes [service]`: the published routes, by service. */
export async function routesCommand({ session, out }: CommandContext, service?: string): Promise<void> {
  let routes: Record<string, string[]>;
  if (service) {
    await session.requireService(service);
    routes = { [service]: await session.hydra.routes.routesOf(service) };
  } else {
    routes = await session.hydra.routes.allRoutes();
  }
  const s = out.style;
  const rows = Object.keys(routes)
    .sort()
    .flatMap((name) => [...routes[name]!].sort().map((route) => [s.bold(name), route]));
  out.result(routes, () => renderTable([{ header: 'SERVICE' }, { header: 'ROUTE' }], rows, 'no routes'));
}

/** `health [service]`: each live instance's health snapshot, by service. */
export async function healthCommand({ session, out }: CommandContext, service?: string): Promise<void> {
  const { discovery } = session.hydra;
  let health: Record<string, StoredHealthSnapshot[]>;
  if (service) {
    await session.requireService(service);
    health = { [service]: await discovery.health(service) };
  } else {
    const all = await discovery.healthAll();
    health = Object.fromEntries(Object.entries(all).map(([name, report]) => [name, report.health]));
  }
  const s = out.style;
  const rows = Object.keys(health)
    .sort()
    .flatMap((name) =>
      health[name]!.map((h) => [
        s.bold(name),
        shortId(h.instanceID),
        statusText(s, h.status ?? 'up'),
        duration(h.uptimeSeconds),
        bytes(h.memory?.rss),
        bytes(h.memory?.heapUsed),
        cell(h.nodeVersion),
        lostConnections(h),
        h.updatedOn,
      ]),
    );
  out.result(health, () =>
    renderTable(
      [
        { header: 'SERVICE' },
        { header: 'INSTANCE' },
        { header: 'STATUS' },
        { header: 'UPTIME', right: true },
        { header: 'RSS', right: true },
        { header: 'HEAP', right: true },
        { header: 'NODE' },
        { header: 'REDIS LOSSES', right: true },
        { header: 'UPDATED' },
      ],
      rows,
      'no health snapshots (no live instance)',
    ),
  );
}

/** `presence [service]`: the live instances, by service. */
export async function presenceCommand({ session, out }: CommandContext, service?: string): Promise<void> {
  const { discovery } = session.hydra;
  let names: string[];
  if (service) {
    await session.requireService(service);
    names = [service];
  } else {
    names = [...new Set((await discovery.services()).map((e) => e.serviceName))].sort();
  }
  const live = await discovery.instancesOf(names);
  const presence: Record<string, InstanceInfo[]> = Object.fromEntries(
    names.map((n) => [n, live.get(n) ?? []]),
  );
  const s = out.style;
  const now = Date.now();
  const rows = names.flatMap((name) =>
    presence[name]!.map((i) => [
      s.bold(name),
      i.instanceID,
      cell(i.version),
      `${i.ip}:${i.port}`,
      i.hostName,
      String(i.processID),
      `${duration((now - i.updatedOnTS) / 1000)} ago`,
    ]),
  );
  out.result(presence, () =>
    renderTable([...INSTANCE_COLUMNS, { header: 'UPDATED', right: true }], rows, 'no live instances'),
  );
}

/** `log <service> [-n N]`: the newest flight-recorder entries of every instance, newest first. */
export async function logCommand(
  { session, out }: CommandContext,
  service: string,
  count: number,
): Promise<void> {
  await session.requireService(service);
  const records = await session.hydra.flightRecorder.serviceLog(service, count);
  const s = out.style;
  out.result(records, () =>
    renderTable(
      [{ header: 'TIME' }, { header: 'TYPE' }, { header: 'PID', right: true }, { header: 'MESSAGE' }],
      records.map((r) => [
        s.dim(r.ts),
        r.type === 'error' || r.type === 'fatal' ? s.red(r.type) : r.type,
        String(r.processID),
        cell(r.msg),
      ]),
      `no log entries for ${service}`,
    ),
  );
}

/** A health status, coloured. */
export function statusText(s: Style, status: string): string {
  if (status === 'up') return s.green(status);
  if (status === 'degraded') return s.yellow(status);
  return s.red(status);
}

function lostConnections(h: StoredHealthSnapshot): string {
  const losses = Object.values(h.connections ?? {}).reduce((sum, c) => sum + (c?.losses ?? 0), 0);
  return String(losses);
}
