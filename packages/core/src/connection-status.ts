/** The state of one of an instance's Redis connections, as its health snapshot reports it. */
export interface ConnectionStatus {
  /**
   * `ready` when it works; `reconnecting` from its loss until it is usable again (for the subscriber:
   * until it has subscribed again to every channel, so messages reach the instance).
   */
  state: 'ready' | 'reconnecting';
  /** How many times it was lost since the instance started. */
  losses: number;
  /** When it was last lost (ISO 8601). */
  lastLostAt: string;
  /** Why, as far as the client knows (`closed` when Redis closed it without a word). */
  lastLossReason: string;
  /** When it was last usable again (ISO 8601); absent while the first loss lasts. */
  lastBackAt?: string;
}

/** The connections of a Hydra instance. */
export type ConnectionName = 'command' | 'subscriber';

/**
 * What the instance's connections went through: fed by the connection watchers, read into the health
 * snapshot (`connections`), so that operators see that an instance lost its subscriber (for example
 * because Redis dropped it for outgrowing its pub/sub output buffer) and got it back.
 *
 * @example
 * hydra.connections.snapshot(); // undefined, or { subscriber: { state: 'ready', losses: 1, ... } }
 */
export class ConnectionStatuses {
  private readonly byName = new Map<ConnectionName, ConnectionStatus>();

  /** Records a loss of `name`; `reason` says what the client saw. */
  lost(name: ConnectionName, reason: string): void {
    const previous = this.byName.get(name);
    this.byName.set(name, {
      ...previous,
      state: 'reconnecting',
      losses: (previous?.losses ?? 0) + 1,
      lastLostAt: new Date().toISOString(),
      lastLossReason: reason,
    });
  }

  /** Records that `name` is usable again; a no-op when it was never lost. */
  back(name: ConnectionName): void {
    const status = this.byName.get(name);
    if (status) this.byName.set(name, { ...status, state: 'ready', lastBackAt: new Date().toISOString() });
  }

  /**
   * Each connection lost at least once since start, by name; `undefined` while none was, so that the
   * snapshot of an instance that never lost Redis has exactly Hydra 1.x's fields.
   */
  snapshot(): Partial<Record<ConnectionName, ConnectionStatus>> | undefined {
    if (this.byName.size === 0) return undefined;
    return Object.fromEntries([...this.byName].map(([name, status]) => [name, { ...status }]));
  }
}
