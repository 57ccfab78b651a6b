import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { Hydra } from '@hydra-nest/core';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';

/** Options of {@link HydraHealthIndicator.isHealthy}. */
export interface HydraHealthCheckOptions {
  /** How long Redis may take to answer PING and the presence lookup, ms. Default 1000. */
  timeoutMs?: number;
}

/**
 * A `@nestjs/terminus` (12) indicator for this Hydra instance: `up` when Redis answers within the
 * timeout and the instance is registered (its presence key exists), `down` with the reason otherwise
 * (`redis: 'unreachable'`, `registered: false`, `error`). Import {@link HydraTerminusModule} (or
 * `TerminusModule` and provide this class yourself) next to `HydraModule`.
 *
 * @example
 * @Get('health')
 * @HealthCheck()
 * check() {
 *   return this.health.check([() => this.hydra.isHealthy()]);
 * }
 * // { status: 'ok', info: { hydra: { status: 'up', redis: 'up', registered: true, service: 'users-svc', instanceId: '...' } } }
 */
@Injectable()
export class HydraHealthIndicator {
  constructor(
    @InjectHydra() private readonly hydra: Hydra,
    private readonly indicator: HealthIndicatorService,
  ) {}

  /**
   * Checks Redis and this instance's registration, reporting under `key`.
   *
   * @example
   * await indicator.isHealthy('registry', { timeoutMs: 500 });
   */
  async isHealthy<const Key extends string = 'hydra'>(
    key: Key = 'hydra' as Key,
    options: HydraHealthCheckOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const session = this.indicator.check(key);
    const { serviceName: service, instanceId } = this.hydra;
    const timeoutMs = options.timeoutMs ?? 1000;
    const down = (redis: 'unknown' | 'unreachable' | 'up', error: string) =>
      session.down({ service, instanceId, redis, registered: false, error });
    if (!this.hydra.running) return down('unknown', 'Hydra is not running');
    try {
      await withTimeout(this.hydra.redis.ping(), timeoutMs, `no answer within ${timeoutMs} ms`);
    } catch (error) {
      return down('unreachable', `Redis did not answer PING (${message(error)})`);
    }
    let registered: boolean;
    try {
      const presence = this.hydra.keys.presence(service, instanceId);
      registered =
        (await withTimeout(this.hydra.redis.exists(presence), timeoutMs, 'presence lookup timed out')) === 1;
    } catch (error) {
      return down('unreachable', message(error));
    }
    if (!registered) {
      return down('up', `instance ${instanceId} of ${service} has no presence key; it is not discoverable`);
    }
    return session.up({ service, instanceId, redis: 'up', registered: true });
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withTimeout<T>(promise: Promise<T>, ms: number, reason: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(reason)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
