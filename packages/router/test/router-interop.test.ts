import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import { HydraPeer } from '../../../test/interop/hydra-peer.js';
import { silentLogger } from '@hydra-nest/core';
import { HydraRouter } from '../src/index.js';
import { call, startService, type TestService } from './support.js';

// Hydra 1.x services behind the router, routed exactly as hydra-nest ones: a real `hydra` 1.9.3 service
// (its own node:http server, test/interop/hydra-peer-child.cjs) and a real `hydra-express` 1.9.5 one.
// Hydra 1.x cannot run on a Redis Cluster: standalone only.
const redis = useRedis();
const EXPRESS_CHILD = fileURLToPath(new URL('./hydra-express-child.cjs', import.meta.url));

let router: HydraRouter;
let peer: HydraPeer;
let express: ChildProcess;
let nest: TestService;

async function startExpress(service: string): Promise<ChildProcess> {
  const child = fork(EXPRESS_CHILD, [], {
    env: {
      ...process.env,
      HX_REDIS_URL: redis.urlFor(15),
      HX_PORT: String(await freePort()),
      HX_SERVICE: service,
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) =>
      reject(new Error(`hydra-express child exited (${code}) before it was ready`)),
    );
  });
  return child;
}

beforeAll(async () => {
  // The router first: the services' route refresh broadcasts must reach it.
  router = new HydraRouter({
    port: 0,
    host: '127.0.0.1',
    redis: { url: redis.urlFor(15) },
    logger: silentLogger,
  });
  await router.start();
  const [peerStarted, expressStarted, nestStarted] = await Promise.all([
    HydraPeer.start({
      redisUrl: redis.urlFor(15),
      serviceName: 'hydra-svc',
      servicePort: await freePort(),
      routes: ['[get]/v1/hydra/items/:id', '[post]/v1/hydra/items'],
    }),
    startExpress('express-svc'),
    startService({ url: redis.urlFor(15) }, 'nest-svc', ['[get]/v1/nest/items/:id', '[post]/v1/nest/items']),
  ]);
  peer = peerStarted;
  express = expressStarted;
  nest = nestStarted;
  await peer.listen();
}, 60_000);

afterAll(async () => {
  await router?.stop();
  await Promise.all([
    peer?.stop(),
    nest?.stop(),
    express &&
      new Promise<void>((resolve) => {
        if (express.exitCode !== null) return resolve();
        express.once('exit', () => resolve());
        express.disconnect();
      }),
  ]);
});

const flavours = [
  { name: 'a hydra 1.9.3 service', base: '/v1/hydra/items', service: 'hydra-svc' },
  { name: 'a hydra-express 1.9.5 service', base: '/v1/hx/items', service: 'express-svc' },
  { name: 'a hydra-nest service', base: '/v1/nest/items', service: 'nest-svc' },
];

describe.each(flavours)('routing to $name', ({ base, service }) => {
  it('picks up its routes from its refresh broadcast, without a restart', async () => {
    await eventually(() => router.table.has(service), { timeoutMs: 8000, what: `${service} routes` });
    const listed = (await call(`${router.url}/v1/router/list/routes`)).json.result;
    const routes = listed.find((s: { serviceName: string }) => s.serviceName === service).routes;
    expect(routes).toEqual(expect.arrayContaining([`[get]${base}/:id`, `[post]${base}`]));
  });

  it('routes GET with a path parameter and POST with a JSON body, in Hydra’s response shape', async () => {
    const get = await call(`${router.url}${base}/5?x=1`);
    expect(get.status).toBe(200);
    expect(get.json).toMatchObject({ statusCode: 200, statusMessage: 'OK' });
    expect(JSON.stringify(get.json.result)).toContain(`${base}/5?x=1`);
    const post = await call(`${router.url}${base}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'widget' }),
    });
    expect([200, 201]).toContain(post.status);
    expect(JSON.stringify(post.json.result)).toContain('widget');
  });

  it('does not let the [post] route answer GET, nor the [get] one answer PUT', async () => {
    expect((await call(`${router.url}${base}`)).status).toBe(405);
    expect((await call(`${router.url}${base}/5`, { method: 'PUT', body: '{}' })).status).toBe(405);
  });
});

describe('routing to Hydra 1.x services', () => {
  it('passes x-forwarded-for to a hydra-express service', async () => {
    const res = await call(`${router.url}/v1/hx/items/1`);
    expect(res.json.result.forwardedFor).toBe('127.0.0.1');
  });

  it('answers 503 once the hydra 1.9.3 service is gone, 404 for a path nobody publishes', async () => {
    expect((await call(`${router.url}/v1/nothing`)).status).toBe(404);
    await peer.stop();
    const res = await eventually(
      async () => {
        const r = await call(`${router.url}/v1/hydra/items/1`);
        return r.status === 503 && r;
      },
      { timeoutMs: 8000, what: '503 after the hydra service stopped' },
    );
    expect(res.json.result.reason).toContain('hydra-svc');
  });
});
