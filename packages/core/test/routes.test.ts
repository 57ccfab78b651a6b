import { beforeAll, describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually } from '../../../test/harness/wait.js';
import { HydraConfigError } from '../src/errors.js';
import type { RedisClient } from '../src/redis-client.js';
import { RouteRegistry } from '../src/routes.js';
import { registryContext, uniqueService, writeInstance } from './registry-support.js';

const topology = useTopology();
const { keys } = topology;
let redis: RedisClient;

beforeAll(() => {
  redis = topology.client();
});

const defaults = (s: string) => [`[get]/${s}`, `[get]/${s}/`, `[get]/${s}/:rest`];

describe('RouteRegistry', () => {
  it('writes the routes plus Hydra’s three defaults to hydra:service:S:service:routes, deduplicated', async () => {
    const service = uniqueService('routes');
    const routes = new RouteRegistry(registryContext(redis, service));
    const mine = ['[get]/v1/items/:id', '[post]/v1/items', '[get]/v1/items/:id', `[get]/${service}`];
    const written = await routes.publish(mine);
    const expected = ['[get]/v1/items/:id', '[post]/v1/items', ...defaults(service)].sort();
    expect([...written].sort()).toEqual(expected);
    expect((await redis.smembers(keys.routes(service))).sort()).toEqual(expected);
    expect(mine).toHaveLength(4);
  });

  it('replaces the previous set in one MULTI (DEL, SADD) and, with no router present, publishes nothing', async () => {
    const service = uniqueService('routes');
    const routes = new RouteRegistry(registryContext(redis, service));
    await routes.publish(['[get]/old']);
    const key = keys.routes(service);
    const commands = await topology.monitor(() => routes.publish(['/plain']));
    const mine = commands.filter((c) => ['multi', 'exec', 'publish'].includes(c[0]!) || c[1] === key);
    expect(mine.map((c) => c.slice(0, 2))).toEqual([['multi'], ['del', key], ['sadd', key], ['exec']]);
    expect(await routes.routesOf(service)).toEqual(['/plain', ...defaults(service)].sort());
  });

  it('rejects a route that is not [method]/path or /path, naming it, and writes nothing', async () => {
    const service = uniqueService('routes');
    const routes = new RouteRegistry(registryContext(redis, service));
    for (const bad of ['get /v1/x', 'v1/x', '[get]v1/x', '[get]/v1/a b', '']) {
      await expect(routes.publish(['[get]/fine', bad])).rejects.toThrow(HydraConfigError);
      await expect(routes.publish([bad])).rejects.toThrow(`route ${JSON.stringify(bad)} of ${service}`);
    }
    expect(await redis.exists(keys.routes(service))).toBe(0);
  });

  it('tells a present hydra-router to refresh with Hydra’s short-form UMF message, in Hydra’s key order', async () => {
    const routerId = await writeInstance(redis, { service: 'hydra-router', ttlSeconds: 5 });
    const texts: string[] = [];
    const listener = await topology.listen(keys.serviceChannel('hydra-router'), (text) => texts.push(text));
    const service = uniqueService('routes');
    await new RouteRegistry(registryContext(redis, service)).publish(['[get]/v1/x']);
    await eventually(() => texts.length === 1, { what: 'the refresh message' });
    const raw = texts[0]!;
    const message = JSON.parse(raw);
    expect(raw).toBe(JSON.stringify(message));
    expect(Object.keys(message)).toEqual(['to', 'frm', 'mid', 'ts', 'ver', 'bdy']);
    expect(message).toEqual({
      to: 'hydra-router:/refresh',
      frm: `${service}:/`,
      mid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      ver: 'UMF/1.4.6',
      bdy: { action: 'refresh', serviceName: service },
    });
    listener.close();
    await redis.del(keys.presence('hydra-router', routerId));
  });

  it('rewrites the last published set on republish, e.g. after Redis lost its data', async () => {
    const service = uniqueService('routes');
    const routes = new RouteRegistry(registryContext(redis, service));
    await routes.republish(); // nothing published yet: nothing to do
    expect(await redis.exists(keys.routes(service))).toBe(0);
    await routes.publish(['[get]/v1/kept']);
    await redis.del(keys.routes(service));
    await routes.republish();
    expect(await routes.routesOf(service)).toEqual(['[get]/v1/kept', ...defaults(service)].sort());
  });

  it('lists every service’s routes like getAllServiceRoutes, ignoring keys that only end in :routes', async () => {
    const a = uniqueService('ra');
    const b = uniqueService('rb');
    await new RouteRegistry(registryContext(redis, a)).publish(['[get]/v1/a']);
    await new RouteRegistry(registryContext(redis, b)).publish(['[post]/v1/b']);
    await redis.sadd('someone-else:routes', 'x');
    await redis.sadd(keys.routes('x:y'), 'x');
    const all = await new RouteRegistry(registryContext(redis)).allRoutes();
    expect(all[a]).toEqual(['[get]/v1/a', ...defaults(a)].sort());
    expect(all[b]).toEqual(['[post]/v1/b', ...defaults(b)].sort());
    expect(Object.keys(all).some((s) => s.includes(':') || s === 'someone-else')).toBe(false);
    expect(await new RouteRegistry(registryContext(redis)).routesOf(uniqueService('none'))).toEqual([]);
  });
});
