/**
 * What the dashboard page shows, as `/dashboard/state.json` serves it and the live feed pushes it. Times
 * are ms since the epoch on the server's clock; `at` lets the page correct for its own clock.
 */
export interface DashboardState {
  /** When the state was read (server clock, ms). */
  at: number;
  /** How often the server reads Redis while somebody watches, ms. */
  intervalMs: number;
  /** Whether pub/sub message rates are counted (not on a Redis Cluster, see `DashboardOptions`). */
  messageRates: boolean;
  /** Every service with an instance shown or a queue, by name. */
  services: ServiceView[];
  /** The newest flight-recorder entries of every shown instance, newest first. */
  log: LogEntryView[];
  /** Why the last read of Redis failed; absent while reads succeed (the rest is then the last good read). */
  error?: string;
}

/** Whether an instance answers: `up` (presence key alive), `not-answering` (its key expired), `stopped`. */
export type InstanceStatus = 'up' | 'not-answering' | 'stopped';

/** What the instance's own health snapshot says; `unknown` when it has none. */
export type InstanceHealth = 'up' | 'degraded' | 'down' | 'unknown';

/** One instance of a service. */
export interface InstanceView {
  id: string;
  ip: string;
  port: string;
  version: string;
  hostName: string;
  status: InstanceStatus;
  health: InstanceHealth;
  /** When its process started (from its health snapshot's uptime); absent without a snapshot. */
  startedAt?: number;
  /** When it last wrote its nodes entry (every second while it runs). */
  lastSeenAt: number;
  /** Resident memory from its health snapshot, bytes. */
  rssBytes?: number;
}

/** A service's work queue: depths and how fast they move. */
export interface QueueView {
  /** Waiting to be taken. */
  queued: number;
  inProgress: number;
  /** Dead letters (`mqincomplete`). */
  incomplete: number;
  delayed: number;
  /** Net change of `queued` per second: positive while it fills, negative while it drains. */
  queuedPerSec: number;
  /** New dead letters per second. */
  deadLettersPerSec: number;
}

/** One service: its instances, published routes, queue and pub/sub message rate. */
export interface ServiceView {
  name: string;
  instances: InstanceView[];
  /** Published route strings (`[get]/v1/users/:id`), sorted. */
  routes: string[];
  queue: QueueView;
  /** UMF messages per second published to the service and its instances (0 when not counted). */
  messagesPerSec: number;
}

/** One flight-recorder entry. */
export interface LogEntryView {
  ts: string;
  service: string;
  instanceId: string;
  type: string;
  /** The logged value as text, cut to a few hundred characters. */
  msg: string;
}
