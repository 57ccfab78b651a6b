import type { HydraContext } from './context.js';
import { HydraConfigError } from './errors.js';
import { explainRefusals } from './redis-permission.js';

/**
 * Hydra's config store: per service, a hash of version label -> config JSON, shared with Hydra's
 * `putConfig`/`getConfig`/`listConfig` and `hydra-cli cfg`.
 *
 * @example
 * await configs.put('users-svc:1.0.0', { pageSize: 50 });
 * const cfg = await configs.get<{ pageSize: number }>('users-svc:1.0.0');
 */
export class ConfigStore {
  constructor(private readonly ctx: HydraContext) {}

  /** Stores `config` (as JSON) under `service:version`. */
  async put(label: string, config: unknown): Promise<void> {
    const { service, version } = parseLabel(label);
    const json = JSON.stringify(config);
    if (json === undefined) {
      throw new HydraConfigError(`config for "${label}" is not JSON-serialisable; pass an object`);
    }
    await explainRefusals(this.ctx, this.ctx.redis.hset(this.ctx.keys.configs(service), version, json));
  }

  /** The config stored under `service:version`, or null when there is none. */
  async get<T = unknown>(label: string): Promise<T | null> {
    const { service, version } = parseLabel(label);
    const raw = await explainRefusals(this.ctx, this.ctx.redis.hget(this.ctx.keys.configs(service), version));
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as T;
    } catch {
      throw new HydraConfigError(
        `config "${label}" holds a value that is not JSON; rewrite it with put("${label}", {...})`,
      );
    }
  }

  /** Every stored label of a service, sorted, as `service:version` (Hydra's `listConfig`). */
  async list(service: string): Promise<string[]> {
    const versions = await explainRefusals(this.ctx, this.ctx.redis.hkeys(this.ctx.keys.configs(service)));
    return versions.sort().map((version) => `${service}:${version}`);
  }

  /** Removes one label; true when it existed. */
  async remove(label: string): Promise<boolean> {
    const { service, version } = parseLabel(label);
    return (
      (await explainRefusals(this.ctx, this.ctx.redis.hdel(this.ctx.keys.configs(service), version))) === 1
    );
  }
}

function parseLabel(label: string): { service: string; version: string } {
  const parts = typeof label === 'string' ? label.split(':') : [];
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new HydraConfigError(
      `config label "${String(label)}" must be "service:version", e.g. "users-svc:1.0.0"`,
    );
  }
  return { service: parts[0], version: parts[1] };
}
