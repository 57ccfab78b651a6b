import type { DashboardState, LogEntryView, ServiceView } from './dashboard-state.js';

/**
 * What changed between two states, as the live feed sends it after the first full state: the services
 * that changed or appeared (whole), the names of those that went, and the log and error when they changed.
 */
export interface DashboardPatch {
  at: number;
  upsert: ServiceView[];
  remove: string[];
  log?: LogEntryView[];
  /** The new error text, or null when reads succeed again. */
  error?: string | null;
  messageRates?: boolean;
}

/** The patch that turns `before` into `after`. */
export function diffStates(before: DashboardState, after: DashboardState): DashboardPatch {
  const old = new Map(before.services.map((s) => [s.name, JSON.stringify(s)]));
  const patch: DashboardPatch = {
    at: after.at,
    upsert: after.services.filter((s) => old.get(s.name) !== JSON.stringify(s)),
    remove: [],
  };
  const kept = new Set(after.services.map((s) => s.name));
  for (const name of old.keys()) if (!kept.has(name)) patch.remove.push(name);
  if (JSON.stringify(before.log) !== JSON.stringify(after.log)) patch.log = after.log;
  if (before.error !== after.error) patch.error = after.error ?? null;
  if (before.messageRates !== after.messageRates) patch.messageRates = after.messageRates;
  return patch;
}
