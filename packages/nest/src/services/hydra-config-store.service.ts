import { Injectable } from '@nestjs/common';
import type { Hydra } from '@hydra-nest/core';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';

/**
 * Hydra's config store (`hydra:service:<svc>:configs`, shared with hydra-cli `cfg push/pull`): JSON
 * configurations by `service:version` label. Named so as not to clash with core's `ConfigStore` or
 * `@nestjs/config`.
 *
 * @example
 * await configs.put('users-svc:1.0.0', { pageSize: 20 });
 * const cfg = await configs.get<{ pageSize: number }>('users-svc:1.0.0');
 */
@Injectable()
export class HydraConfigStore {
  constructor(@InjectHydra() private readonly hydra: Hydra) {}

  /**
   * Stores `config` under `label` (`service:version`), replacing what was there.
   *
   * @example
   * await configs.put('users-svc:1.0.1', { pageSize: 50 });
   */
  put(label: string, config: unknown): Promise<void> {
    return this.hydra.configs.put(label, config);
  }

  /**
   * The config stored under `label`, parsed, or `null` when there is none.
   *
   * @example
   * const cfg = await configs.get<AppConfig>('users-svc:1.0.1');
   */
  get<T = unknown>(label: string): Promise<T | null> {
    return this.hydra.configs.get<T>(label);
  }

  /**
   * The labels stored for `service`, sorted (`['users-svc:1.0.0', 'users-svc:1.0.1']`).
   *
   * @example
   * const versions = await configs.list('users-svc');
   */
  list(service: string): Promise<string[]> {
    return this.hydra.configs.list(service);
  }

  /**
   * Removes the config stored under `label`; resolves `true` when it existed.
   *
   * @example
   * await configs.remove('users-svc:1.0.0');
   */
  remove(label: string): Promise<boolean> {
    return this.hydra.configs.remove(label);
  }
}
