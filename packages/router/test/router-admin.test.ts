import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually } from '../../../test/harness/wait.js';
import { silentLogger, WorkQueue } from '@hydra-nest/core';
import {
  ADMIN_ROUTES,
  HydraRouter,
  ROUTER_VERSION,
  RouterConfigError,
  RouterStateError,
  type RouterContext,
} from '../src/index.js';
import { freePort } from '../../../test/harness/redis.js';
import type { UmfMessage } from '@hydra-nest/umf';
import { call, startService, type TestService } from './support.js';

const topology = useTopology();
let router: HydraRouter;
let users: TestService;
const TOKEN = '0f5d3b4e-8a43-4d3c-9f1b-2b8c6c1e9a77';

const OK = { statusCode: 200, statusMessage: 'OK', statusDescription: 'Request succeeded without error' };

beforeAll(async () => {
  users = await startService(topology.redis, 'admin-users-svc', ['[get]/v1/admin-users/:id']);
  router = new HydraRouter({ port: 0, host: '127.0.0.1', redis: topology.redis, logger: silentLogger });
  await router.start();
});

afterAll(async () => {
  await router?.stop();
  await users?.stop();
});

describe('hydra-router’s admin API', () => {
  it('registers as service hydra-router (type router) and publishes the admin routes only', async () => {
    const [self] = await router.hydra.discovery.instances('hydra-router');
    expect(self).toMatchObject({
      serviceName: 'hydra-router',
      ip: '127.0.0.1',
      port: String(router.port),
      version: ROUTER_VERSION,
    });
    const published = await router.hydra.routes.routesOf('hydra-router');
    expect(published).toEqual(
      [...ADMIN_ROUTES, '[get]/hydra-router', '[get]/hydra-router/', '[get]/hydra-router/:rest'].sort(),
    );
  });

  it('GET /v1/router/health answers the router’s health snapshot', async () => {
    const res = await call(`${router.url}/v1/router/health`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      ...OK,
      result: {
        serviceName: 'hydra-router',
        instanceID: router.hydra.instanceId,
        uptimeSeconds: expect.any(Number),
      },
    });
  });

  it('GET /v1/router/version answers {result: {version}}', async () => {
    expect((await call(`${router.url}/v1/router/version`)).json).toEqual({
      ...OK,
      result: { version: ROUTER_VERSION },
    });
  });

  it('GET /v1/router/list/routes lists each service’s routes, without the router’s own', async () => {
    const res = await call(`${router.url}/v1/router/list/routes`);
    expect(res.json).toMatchObject(OK);
    expect(res.json.result).toContainEqual({
      serviceName: 'admin-users-svc',
      routes: [
        '[get]/admin-users-svc',
        '[get]/admin-users-svc/',
        '[get]/admin-users-svc/:rest',
        '[get]/v1/admin-users/:id',
      ],
    });
    expect(res.json.result.map((s: { serviceName: string }) => s.serviceName)).not.toContain('hydra-router');
  });

  it('GET /v1/router/list/nodes answers the nodes with elapsed, plus the router’s id, host and version', async () => {
    const res = await call(`${router.url}/v1/router/list/nodes`);
    expect(res.json).toMatchObject({
      ...OK,
      instanceID: router.hydra.instanceId,
      hostname: router.hydra.identity.hostName,
      version: ROUTER_VERSION,
    });
    const node = res.json.result.find((n: { instanceID: string }) => n.instanceID === users.hydra.instanceId);
    expect(node).toMatchObject({
      serviceName: 'admin-users-svc',
      port: String(users.port),
      elapsed: expect.any(Number),
    });
  });

  it('GET /v1/router/list/services answers one entry per live instance: presence, health and log', async () => {
    await users.hydra.health.publish();
    await users.hydra.flightRecorder.append('info', 'hello from users');
    const res = await call(`${router.url}/v1/router/list/services`);
    expect(res.json).toMatchObject(OK);
    const entry = res.json.result.find(
      (e: { instanceID: string }) => e.instanceID === users.hydra.instanceId,
    );
    expect(entry).toMatchObject({
      serviceName: 'admin-users-svc',
      ip: '127.0.0.1',
      port: String(users.port),
      uptimeSeconds: expect.any(Number),
    });
    expect(entry.log[0]).toMatchObject({ serviceName: 'admin-users-svc', msg: 'hello from users' });
  });

  it('GET /v1/router/refresh and /refresh/:service re-read the routes at once', async () => {
    await topology.client().sadd(topology.keys.routes('admin-users-svc'), '[get]/v1/added-by-hand');
    expect((await call(`${router.url}/v1/added-by-hand`)).status).toBe(404);
    expect((await call(`${router.url}/v1/router/refresh/admin-users-svc`)).json).toEqual({
      ...OK,
      result: {},
    });
    expect((await call(`${router.url}/v1/added-by-hand`)).status).toBe(200);
    expect((await call(`${router.url}/v1/router/refresh`)).json).toEqual({ ...OK, result: {} });
  });

  it('GET /v1/router/stats answers per-second counts of the past hour per service', async () => {
    await call(`${router.url}/v1/admin-users/1`);
    await call(`${router.url}/v1/admin-users-nothing`);
    const res = await call(`${router.url}/v1/router/stats`);
    expect(res.json).toMatchObject(OK);
    const { httpStats, wsStats, errorStats } = res.json.result;
    expect(httpStats['admin-users-svc']).toHaveLength(3600);
    expect(httpStats['admin-users-svc'].reduce((a: number, b: number) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect(wsStats).toEqual({});
    expect(errorStats).toBeTypeOf('object');
  });

  it('POST /v1/router/send publishes the UMF message to an instance and answers its mid', async () => {
    const received = new Promise<unknown>((resolve) =>
      users.hydra.messaging.setHandler((m) => resolve(m.bdy)),
    );
    const res = await call(`${router.url}/v1/router/send`, {
      method: 'POST',
      body: JSON.stringify({ to: 'admin-users-svc:/', frm: 'tester:/', mid: 'mid-send-1', bdy: { hi: 1 } }),
    });
    expect(res.json).toEqual({ ...OK, result: { mid: 'mid-send-1' } });
    expect(await received).toEqual({ hi: 1 });
  });

  it('POST /v1/router/send answers 503 when no instance of the service is present, 400 for a non-UMF body', async () => {
    const none = await call(`${router.url}/v1/router/send`, {
      method: 'POST',
      body: JSON.stringify({ to: 'nobody-svc:/', frm: 'tester:/', bdy: {} }),
    });
    expect(none.status).toBe(503);
    const bad = await call(`${router.url}/v1/router/send`, { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
    expect(bad.json.result.reason).toContain('not a UMF message');
  });

  it('POST /v1/router/queue queues the message for its service and answers its mid', async () => {
    const res = await call(`${router.url}/v1/router/queue`, {
      method: 'POST',
      body: JSON.stringify({ to: 'admin-users-svc:/', frm: 'tester:/', mid: 'mid-queue-1', bdy: { job: 1 } }),
    });
    expect(res.json).toEqual({ ...OK, result: { mid: 'mid-queue-1' } });
    const depths = await new WorkQueue(router.hydra).depths('admin-users-svc');
    expect(depths.received).toBe(1);
  });

  it('POST /v1/router/message calls the message’s fwd route over HTTP and answers its result', async () => {
    const res = await call(`${router.url}/v1/router/message`, {
      method: 'POST',
      body: JSON.stringify({
        to: 'hydra-router:/',
        frm: 'tester:/',
        fwd: 'admin-users-svc:[get]/v1/admin-users/9',
        bdy: {},
      }),
    });
    expect(res.json).toMatchObject({
      ...OK,
      result: { service: 'admin-users-svc', url: '/v1/admin-users/9' },
    });
  });
});

describe('admin API access', () => {
  it('refuses a caller that came through a proxy (x-forwarded-for) when no token is configured', async () => {
    const res = await call(`${router.url}/v1/router/health`, {
      headers: { 'x-forwarded-for': '203.0.113.9' },
    });
    expect(res.status).toBe(403);
    expect(res.json.result.reason).toContain('only callers on this host');
  });

  it('requires the token of every caller when one is configured', async () => {
    const guarded = new HydraRouter({
      port: 0,
      host: '127.0.0.1',
      redis: topology.redis,
      admin: { token: TOKEN },
      logger: silentLogger,
    });
    await guarded.start();
    try {
      expect((await call(`${guarded.url}/v1/router/version`)).status).toBe(403);
      expect((await call(`${guarded.url}/v1/router/version?token=wrong`)).status).toBe(403);
      expect((await call(`${guarded.url}/v1/router/version?token=${TOKEN}`)).status).toBe(200);
      const bearer = await call(`${guarded.url}/v1/router/version`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      expect(bearer.status).toBe(200);
    } finally {
      await guarded.stop();
    }
  });

  it('can be turned off: /v1/router/* is then a path like any other (never routed to a router), and no route is published', async () => {
    const off = new HydraRouter({
      port: 0,
      host: '127.0.0.1',
      redis: topology.redis,
      admin: false,
      serviceName: 'quiet-router',
      logger: silentLogger,
    });
    await off.start();
    try {
      const res = await call(`${off.url}/v1/router/health`);
      expect(res.status).toBe(404);
      expect(res.json.result.reason).toBe('no service publishes a route for GET /v1/router/health');
      expect(await off.hydra.routes.routesOf('quiet-router')).toEqual([]);
      await eventually(async () => (await call(`${off.url}/v1/admin-users/1`)).status === 200, {
        what: 'routing',
      });
    } finally {
      await off.stop();
    }
  });
});

describe('mounted components (dashboard, WebSocket gateway)', () => {
  it('get the Hydra instance, the server, the router’s messages and admin reads; are tried first; are closed at stop', async () => {
    let ctx: RouterContext | undefined;
    const messages: UmfMessage[] = [];
    let closed = 0;
    const mounted = new HydraRouter({
      port: 0,
      host: '127.0.0.1',
      redis: topology.redis,
      serviceName: 'mounting-router',
      admin: { token: TOKEN },
      logger: silentLogger,
      mounts: [
        (context) => {
          ctx = context;
          context.onMessage((message) => messages.push(message));
          return {
            handle: async (req, res) => {
              if (req.url !== '/mounted') return false;
              res.writeHead(200).end('mine');
              return true;
            },
            close: async () => void closed++,
          };
        },
      ],
    });
    await mounted.start();
    try {
      expect(ctx!.server).toBe(mounted.server);
      expect(ctx!.hydra).toBe(mounted.hydra);
      expect((await call(`${mounted.url}/mounted`)).text).toBe('mine');
      expect((await call(`${mounted.url}/v1/admin-users/1`)).status).toBe(200);
      // A WebSocket client's router requests: the admin reads, behind the token.
      const version = { method: 'get', path: '/v1/router/version' };
      expect(await ctx!.routerRequests({} as UmfMessage, version)).toEqual({ version: ROUTER_VERSION });
      const routes = { method: 'get', path: '/v1/router/list/routes' };
      expect(await ctx!.routerRequests({} as UmfMessage, routes)).toBeUndefined();
      const withToken = { method: 'get', path: `/v1/router/list/routes?token=${TOKEN}` };
      expect(await ctx!.routerRequests({} as UmfMessage, withToken)).toContainEqual(
        expect.objectContaining({ serviceName: 'admin-users-svc' }),
      );
      // A message for the router that is not a route refresh reaches the mounted handler.
      await users.hydra.messaging.sendMessage({
        to: `${mounted.hydra.instanceId}@mounting-router:/`,
        frm: 'admin-users-svc:/',
        bdy: { for: 'a client' },
      });
      await eventually(() => messages.some((m) => (m.bdy as { for?: string }).for === 'a client'), {
        what: 'the message at the mount',
      });
    } finally {
      await mounted.stop();
    }
    expect(closed).toBe(1);
  });
});

describe('router lifecycle', () => {
  it('starts once, and says so when started again', async () => {
    await expect(router.start()).rejects.toThrow(RouterStateError);
    expect(() => new HydraRouter({ redis: topology.redis }).hydra).toThrow(/await router.start/);
  });

  it('refuses unusable options by name', () => {
    expect(() => new HydraRouter({ timeoutMs: 0 })).toThrow(RouterConfigError);
    expect(() => new HydraRouter({ pathPrefix: 'api' })).toThrow(/pathPrefix must start with "\/"/);
  });

  it('rejects when its port is taken or Redis cannot be reached, leaving nothing listening', async () => {
    const taken = new HydraRouter({
      port: router.port,
      host: '127.0.0.1',
      redis: topology.redis,
      logger: silentLogger,
    });
    await expect(taken.start()).rejects.toThrow(/EADDRINUSE/);
    expect(taken.server.listening).toBe(false);
    const nowhere = new HydraRouter({
      port: 0,
      host: '127.0.0.1',
      redis: { url: `redis://127.0.0.1:${await freePort()}/15`, startupAttempts: 1, connectTimeoutMs: 500 },
      logger: silentLogger,
    });
    await expect(nowhere.start()).rejects.toThrow();
    expect(nowhere.server.listening).toBe(false);
  });
});
