export { createDashboard, type Dashboard } from './dashboard.js';
export { DashboardOptionsError, type DashboardOptions } from './dashboard-options.js';
export type {
  DashboardState,
  InstanceHealth,
  InstanceStatus,
  InstanceView,
  LogEntryView,
  QueueView,
  ServiceView,
} from './dashboard-state.js';
export type { DashboardPatch } from './state-diff.js';
