import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually, sleep } from '../../../test/harness/wait.js';
import { silentLogger } from '@hydra-nest/core';
import { HydraRouter } from '../src/index.js';
import { call, echo, startService, type TestService } from './support.js';

const topology = useTopology();
let router: HydraRouter;
const services: TestService[] = [];

async function service(name: string, routes: string[], handler?: Parameters<typeof startService>[3]) {
  const started = await startService(topology.redis, name, routes, handler);
  services.push(started);
  return started;
}

beforeAll(async () => {
  await service('users-svc', ['[get]/v1/users/:id', '[post]/v1/users', '/v1/users/any/:id']);
  router = new HydraRouter({
    port: 0,
    host: '127.0.0.1',
    redis: topology.redis,
    timeoutMs: 1500,
    maxBodyBytes: 1000,
    logger: silentLogger,
  });
  await router.start();
});

afterAll(async () => {
  await router?.stop();
  await Promise.all(services.map((s) => s.stop()));
});

describe('HTTP routing by published routes', () => {
  it('sends a request to the service whose route matches, path parameters and query included', async () => {
    const res = await call(`${router.url}/v1/users/42?full=1`);
    expect(res.status).toBe(200);
    expect(res.json.result).toMatchObject({
      service: 'users-svc',
      method: 'GET',
      url: '/v1/users/42?full=1',
    });
  });

  it('sets x-forwarded-for, -proto and -host, and drops hop-by-hop headers', async () => {
    const users = services[0]!;
    await call(`${router.url}/v1/users/7`, { headers: { 'x-custom': 'kept', 'keep-alive': 'timeout=5' } });
    const seen = users.received.at(-1)!;
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('http');
    expect(seen.headers['x-forwarded-host']).toBe(`127.0.0.1:${router.port}`);
    expect(seen.headers['x-custom']).toBe('kept');
    expect(seen.headers['keep-alive']).toBeUndefined();
  });

  it('is method-aware: a [post] route does not answer GET, a [get] route does not answer DELETE', async () => {
    const post = await call(`${router.url}/v1/users`, {
      method: 'POST',
      body: '{"name":"ann"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(post.status).toBe(200);
    expect(post.json.result).toMatchObject({ method: 'POST', body: '{"name":"ann"}' });
    const get = await call(`${router.url}/v1/users`);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(get.json).toMatchObject({
      statusCode: 405,
      result: { reason: expect.stringContaining('GET /v1/users') },
    });
    expect((await call(`${router.url}/v1/users/7`, { method: 'DELETE' })).status).toBe(405);
  });

  it('lets a route without a method answer any method', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await call(`${router.url}/v1/users/any/3`, { method });
      expect(res.status).toBe(200);
      expect(res.json.result.method).toBe(method);
    }
  });

  it('answers 404 in Hydra’s JSON shape when no service publishes the path', async () => {
    const res = await call(`${router.url}/v1/nobody/here`);
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.json).toEqual({
      statusCode: 404,
      statusMessage: 'Not Found',
      statusDescription: 'The requested resource was not found on the server',
      result: { reason: 'no service publishes a route for GET /v1/nobody/here' },
    });
  });

  it('balances requests over the present instances', async () => {
    const a = await service('balance-svc', ['[get]/v1/balance']);
    const b = await service('balance-svc', ['[get]/v1/balance']);
    await eventually(async () => router.hydra.instances.peek('balance-svc')?.length === 2, {
      what: 'both instances',
    });
    for (let i = 0; i < 8; i++) expect((await call(`${router.url}/v1/balance`)).status).toBe(200);
    expect(a.received.length).toBe(4);
    expect(b.received.length).toBe(4);
  });

  it('answers 503 with a JSON reason when the service has routes but no instance is present', async () => {
    const gone = await service('gone-svc', ['[get]/v1/gone']);
    await eventually(async () => (await call(`${router.url}/v1/gone`)).status === 200, {
      what: 'gone-svc routed',
    });
    await gone.stop();
    const res = await eventually(
      async () => {
        const r = await call(`${router.url}/v1/gone`);
        return r.status === 503 && r;
      },
      { what: '503 once gone-svc left' },
    );
    expect(res.json).toMatchObject({
      statusCode: 503,
      statusMessage: 'Service Unavailable',
      result: { reason: expect.stringContaining('gone-svc') },
    });
  });

  it('sends a path two services publish to the one with an instance present (hydra-router#86)', async () => {
    const first = await service('dup-a-svc', ['[get]/v1/dup']);
    await service('dup-b-svc', ['[get]/v1/dup']);
    await eventually(async () => (await call(`${router.url}/v1/dup`)).json?.result?.service === 'dup-a-svc', {
      what: 'dup-a-svc first while present',
    });
    await first.stop();
    await eventually(async () => (await call(`${router.url}/v1/dup`)).json?.result?.service === 'dup-b-svc', {
      what: 'dup-b-svc once dup-a-svc left',
    });
  });

  it('retries on another instance when the chosen one cannot be reached (GET and POST alike)', async () => {
    const live = await service('retry-svc', ['[get]/v1/retry', '[post]/v1/retry']);
    const dead = await service('retry-svc', ['[get]/v1/retry', '[post]/v1/retry']);
    await eventually(async () => router.hydra.instances.peek('retry-svc')?.length === 2, {
      what: 'both instances',
    });
    // The process "crashed": its port refuses connections, its presence key has not expired yet.
    dead.server.closeAllConnections();
    await new Promise<void>((resolve) => dead.server.close(() => resolve()));
    for (let i = 0; i < 4; i++) {
      expect((await call(`${router.url}/v1/retry`)).status).toBe(200);
      const post = await call(`${router.url}/v1/retry`, { method: 'POST', body: 'x' });
      expect(post.status).toBe(200);
      expect(post.json.result.body).toBe('x');
    }
    expect(live.received.length).toBe(8);
    expect(router.hydra.instances.peek('retry-svc')!.map((i) => i.instanceID)).toEqual([
      live.hydra.instanceId,
    ]);
    await dead.hydra.stop();
  });

  it('sends an idempotent request again after a broken connection, but never a POST that may have run', async () => {
    const good = await service('reset-svc', ['[get]/v1/reset', '[post]/v1/reset']);
    // Reads the whole request, then drops the connection without answering.
    const breaker = await service('reset-svc', ['[get]/v1/reset', '[post]/v1/reset'], (req) =>
      req.socket.destroy(),
    );
    await eventually(async () => router.hydra.instances.peek('reset-svc')?.length === 2, {
      what: 'both instances',
    });
    for (let i = 0; i < 4; i++) expect((await call(`${router.url}/v1/reset`)).status).toBe(200);
    const posts = [];
    for (let i = 0; i < 4; i++)
      posts.push((await call(`${router.url}/v1/reset`, { method: 'POST', body: 'p' })).status);
    expect(posts.filter((s) => s === 502)).toHaveLength(2);
    expect(posts.filter((s) => s === 200)).toHaveLength(2);
    expect(breaker.received.filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(good.received.filter((r) => r.method === 'GET')).toHaveLength(4);
  });

  it('answers 504 when the instance does not answer in time, and does not send a POST twice', async () => {
    const slow = await service('slow-svc', ['[get]/v1/slow', '[post]/v1/slow'], () => undefined);
    await service('slow-svc', ['[get]/v1/slow', '[post]/v1/slow'], () => undefined);
    await eventually(async () => router.hydra.instances.peek('slow-svc')?.length === 2, {
      what: 'both slow instances',
    });
    const started = Date.now();
    const res = await call(`${router.url}/v1/slow`, { method: 'POST', body: 'once' });
    expect(res.status).toBe(504);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(res.json).toMatchObject({
      statusCode: 504,
      result: { reason: expect.stringContaining('did not answer POST /v1/slow within 1500 ms') },
    });
    const sends = services.filter((s) => s.name === 'slow-svc').reduce((n, s) => n + s.received.length, 0);
    expect(sends).toBe(1);
    expect(slow.received.length + services.at(-1)!.received.length).toBe(1);
  });

  it('answers 413 for a body over the limit, declared or streamed, without bothering the service', async () => {
    const users = services[0]!;
    const before = users.received.length;
    const declared = await call(`${router.url}/v1/users`, { method: 'POST', body: 'x'.repeat(1001) });
    expect(declared.status).toBe(413);
    expect(declared.json.result.reason).toContain('limit of 1000 bytes');
    const streamed = await call(`${router.url}/v1/users`, {
      method: 'POST',
      headers: { 'transfer-encoding': 'chunked' },
      body: ['x'.repeat(600), 'y'.repeat(600)],
      chunkDelayMs: 20,
    });
    expect(streamed.status).toBe(413);
    expect(users.received.length).toBe(before);
  });

  it('streams request and response bodies without buffering them whole', async () => {
    let finish: () => void = () => undefined;
    const release = new Promise<void>((resolve) => (finish = resolve));
    const chunksSeen: string[] = [];
    await service('stream-svc', ['[post]/v1/stream'], {
      raw: (req, res) => {
        req.on('data', (chunk: Buffer) => chunksSeen.push(chunk.toString()));
        req.on('end', async () => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('first;');
          await release;
          res.end('second');
        });
      },
    });
    try {
      await eventually(async () => router.hydra.instances.peek('stream-svc')?.length === 1, {
        what: 'stream-svc',
      });
      let body = '';
      const done = new Promise<void>((resolve, reject) => {
        const req = http.request(`${router.url}/v1/stream`, { method: 'POST', agent: false }, (res) => {
          res.on('data', (c: Buffer) => {
            body += c.toString();
            // The service holds the rest of its response until the client saw the first part.
            if (body === 'first;') finish();
          });
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.write('a'.repeat(100));
        // The rest of the request goes only once the service got the first part: nothing waits for it whole.
        void eventually(() => chunksSeen.length > 0, {
          timeoutMs: 10_000,
          what: 'the first part at the service',
        }).then(() => req.end('b'.repeat(100)), reject);
      });
      await done;
      expect(chunksSeen[0]).toBe('a'.repeat(100));
      expect(chunksSeen.join('')).toBe('a'.repeat(100) + 'b'.repeat(100));
      expect(body).toBe('first;second');
    } finally {
      finish();
    }
  });

  it('picks up a new service and a changed route set without a restart', async () => {
    const late = await service('late-svc', ['[get]/v1/late']);
    const res = await eventually(
      async () => {
        const r = await call(`${router.url}/v1/late`);
        return r.status === 200 && r;
      },
      { timeoutMs: 3000, what: 'the late service routed' },
    );
    expect(res.json.result.service).toBe('late-svc');
    await late.hydra.registerRoutes(['[get]/v1/late', '[get]/v1/later']);
    await eventually(async () => (await call(`${router.url}/v1/later`)).status === 200, {
      timeoutMs: 3000,
      what: 'the new route routed',
    });
  });

  it('keeps connections to instances alive between requests', async () => {
    const keep = await service('keep-svc', ['[get]/v1/keep'], echo('keep-svc'));
    const sockets = new Set<unknown>();
    keep.server.on('connection', (socket) => sockets.add(socket));
    await eventually(async () => router.hydra.instances.peek('keep-svc')?.length === 1, { what: 'keep-svc' });
    for (let i = 0; i < 5; i++) {
      expect((await call(`${router.url}/v1/keep`)).status).toBe(200);
      await sleep(5);
    }
    expect(sockets.size).toBe(1);
  });

  it('answers OPTIONS on a routed path with the methods its routes allow', async () => {
    const res = await call(`${router.url}/v1/users`, { method: 'OPTIONS' });
    expect(res.status).toBe(204);
    expect(res.headers.allow).toBe('POST, OPTIONS');
  });

  it('strips a configured path prefix and routes only what carries it', async () => {
    const prefixed = new HydraRouter({
      port: 0,
      host: '127.0.0.1',
      redis: topology.redis,
      pathPrefix: '/api/',
      logger: silentLogger,
    });
    await prefixed.start();
    try {
      const res = await call(`${prefixed.url}/api/v1/users/5?q=1`);
      expect(res.status).toBe(200);
      expect(res.json.result.url).toBe('/v1/users/5?q=1');
      expect((await call(`${prefixed.url}/v1/users/5`)).status).toBe(404);
      expect((await call(`${prefixed.url}/apiv1/users/5`)).status).toBe(404);
    } finally {
      await prefixed.stop();
    }
  });
});
