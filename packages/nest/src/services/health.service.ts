import { Injectable } from '@nestjs/common';
import type { HealthCheck, HealthSnapshot, Hydra } from '@hydra-nest/core';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';

/**
 * This instance's health snapshot (`hydra:service:<svc>:<id>:health`, refreshed by core) and the
 * health of other services.
 *
 * @example
 * constructor(private readonly health: HealthService) {
 *   health.addCheck('db', async () => ({ status: (await db.ping()) ? 'up' : 'down' }));
 * }
 */
@Injectable()
export class HealthService {
  constructor(@InjectHydra() private readonly hydra: Hydra) {}

  /**
   * Adds (or replaces) a named check whose result is included in every published snapshot (under
   * `checks`, with the worst result as `status`). A check that throws or takes over 1 s counts as down.
   *
   * @example
   * health.addCheck('queue', () => ({ status: queue.length < 1000 ? 'up' : 'degraded', details: { depth: queue.length } }));
   */
  addCheck(name: string, check: HealthCheck): void {
    this.hydra.health.addCheck(name, check);
  }

  /**
   * Removes a check added with {@link addCheck}.
   *
   * @example
   * health.removeCheck('queue');
   */
  removeCheck(name: string): void {
    this.hydra.health.removeCheck(name);
  }

  /**
   * This instance's health snapshot as it would be published now.
   *
   * @example
   * const { memory, uptimeSeconds, status } = await health.snapshot();
   */
  snapshot(): Promise<HealthSnapshot> {
    return this.hydra.health.snapshot();
  }

  /**
   * The published health snapshots of the live instances of `service` (this one's included).
   *
   * @example
   * const snapshots = await health.health('billing-svc');
   */
  health(service: string): Promise<HealthSnapshot[]> {
    return this.hydra.discovery.health(service);
  }
}
