import { beforeAll, describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { ConfigStore } from '../src/config-store.js';
import { HydraConfigError } from '../src/errors.js';
import type { RedisClient } from '../src/redis-client.js';
import { registryContext, uniqueService } from './registry-support.js';

const topology = useTopology();
const { keys } = topology;
let redis: RedisClient;
let store: ConfigStore;

beforeAll(() => {
  redis = topology.client();
  store = new ConfigStore(registryContext(redis));
});

describe('ConfigStore', () => {
  it('stores a config as compact JSON in hydra:service:S:configs under the version, as Hydra’s putConfig', async () => {
    const service = uniqueService('cfg');
    await store.put(`${service}:1.0.0`, { pageSize: 50, nested: { on: true } });
    expect(await redis.hget(keys.configs(service), '1.0.0')).toBe('{"pageSize":50,"nested":{"on":true}}');
    expect(await store.get(`${service}:1.0.0`)).toEqual({ pageSize: 50, nested: { on: true } });
  });

  it('gives null for a label that was never stored', async () => {
    expect(await store.get(`${uniqueService('cfg')}:9.9.9`)).toBeNull();
  });

  it('lists a service’s labels sorted, as service:version, exactly like Hydra’s listConfig', async () => {
    const service = uniqueService('cfg');
    await store.put(`${service}:1.1.0`, { b: 2 });
    await store.put(`${service}:1.0.0`, { a: 1 });
    await store.put(`${service}:0.9.0`, { z: 0 });
    expect(await store.list(service)).toEqual([`${service}:0.9.0`, `${service}:1.0.0`, `${service}:1.1.0`]);
    expect(await store.list(uniqueService('empty'))).toEqual([]);
  });

  it('removes one label and says whether it existed', async () => {
    const service = uniqueService('cfg');
    await store.put(`${service}:1.0.0`, { a: 1 });
    expect(await store.remove(`${service}:1.0.0`)).toBe(true);
    expect(await store.remove(`${service}:1.0.0`)).toBe(false);
    expect(await store.get(`${service}:1.0.0`)).toBeNull();
  });

  it('rejects a label that is not exactly two non-empty parts, naming it', async () => {
    for (const label of ['cfg-svc', 'a:b:c', ':1.0.0', 'cfg-svc:', '']) {
      await expect(store.put(label, {})).rejects.toThrow(HydraConfigError);
      await expect(store.get(label)).rejects.toThrow(`config label "${label}" must be "service:version"`);
      await expect(store.remove(label)).rejects.toThrow(HydraConfigError);
    }
  });

  it('reports a stored value that is not JSON as an error naming the label', async () => {
    const service = uniqueService('cfg');
    await redis.hset(keys.configs(service), '1.0.0', '{broken');
    await expect(store.get(`${service}:1.0.0`)).rejects.toThrow(
      new RegExp(`config "${service}:1\\.0\\.0" holds a value that is not JSON`),
    );
  });

  it('refuses a config that has no JSON form', async () => {
    await expect(store.put('cfg-svc:1.0.0', undefined)).rejects.toThrow(/"cfg-svc:1.0.0" is not JSON/);
  });
});
