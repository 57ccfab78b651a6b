import { Hydra, errorBody, silentLogger, type HydraOptions } from '@hydra-nest/core';
import { attachWebSocketGateway, type WebSocketGateway } from '@hydra-nest/router';
import type { UmfMessage } from '@hydra-nest/umf';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually } from '../../../test/harness/wait.js';
import { TestClient, listeningServer } from './ws-test-client.js';

// Issue #18: the WebSocket gateway between hydra-router's clients and hydra-nest services, over real
// Redis and real sockets.
const topology = useTopology();
const started: Hydra[] = [];
let router: Hydra;
let gateway: WebSocketGateway;
let http: Awaited<ReturnType<typeof listeningServer>>;
let upgradeListenersBefore = 0;
const held: UmfMessage[] = [];
const counted: string[] = [];

async function node(serviceName: string, options: Partial<HydraOptions> = {}): Promise<Hydra> {
  const hydra = new Hydra({
    serviceName,
    serviceIP: '127.0.0.1',
    logger: silentLogger,
    redis: topology.redis,
    ...options,
  });
  started.push(hydra);
  await hydra.start();
  return hydra;
}

const opened: TestClient[] = [];
async function connect(): Promise<TestClient> {
  const client = await TestClient.connect(http.url);
  opened.push(client);
  return client;
}

// A test that fails midway must not leave its sockets open for the next one to count.
afterEach(async () => {
  await Promise.all(opened.splice(0).map((c) => c.close()));
});

let midCounter = 0;
function mid(): string {
  return `test-mid-${++midCounter}`;
}

beforeAll(async () => {
  const echo = await node('echo-svc');
  echo.messaging.setHandler((m) => {
    void echo.messaging.reply(m, { echo: m.bdy, to: m.to, by: echo.instanceId }).catch(() => undefined);
  });
  const echo2 = await node('echo-svc');
  echo2.messaging.setHandler((m) => {
    void echo2.messaging.reply(m, { echo: m.bdy, to: m.to, by: echo2.instanceId }).catch(() => undefined);
  });
  const failing = await node('fail-svc');
  failing.messaging.setHandler((m) => {
    const body = { ...errorBody(409, 'ConflictException', 'order 7 exists', { field: 'id' }), extra: [1, 2] };
    void failing.messaging.reply(m, body, 'error').catch(() => undefined);
  });
  const slow = await node('slow-svc');
  slow.messaging.setHandler((m) => held.push(m)); // answered by the test, or never
  router = await node('hydra-router');
  http = await listeningServer();
  upgradeListenersBefore = http.server.listenerCount('upgrade');
  gateway = attachWebSocketGateway(http.server, router, {
    timeoutMs: 1500,
    maxInFlightPerSocket: 3,
    maxMessageBytes: 64 * 1024,
    routerRequests: (_m, route) =>
      route.path === '/v1/router/version' ? { version: 'test-version' } : undefined,
    onMessage: (handler) => router.messaging.setHandler(handler),
    countMessage: (service) => counted.push(service),
  });
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await http?.stop();
  await Promise.all(started.map((h) => h.stop()));
});

describe('WebSocket gateway', () => {
  it('welcomes a socket as hydra-router does: typ connection, its id in bdy.id', async () => {
    const client = await connect();
    const welcome = client.received[0]!;
    expect(welcome).toMatchObject({
      to: `${client.id}@client:/`,
      frm: `${router.instanceId}@hydra-router:/`,
      typ: 'connection',
      bdy: { id: expect.stringMatching(/^[0-9a-f]{16}$/), ip: '127.0.0.1' },
    });
    expect(welcome.ver).toMatch(/^UMF\//);
    await client.close();
  });

  it('forwards service:/path and service:[method]/path over pub/sub and answers with rmid = the mid sent', async () => {
    const client = await connect();
    for (const to of ['echo-svc:/v1/echo', 'echo-svc:[post]/v1/echo/7']) {
      const id = mid();
      client.sendJson({ to, frm: 'browser-1:/', mid: id, bdy: { hello: to } });
      const reply = await client.reply(id);
      // The service got the very route, method included, as a UMF message (it has no HTTP server at all).
      expect(reply.bdy).toMatchObject({ echo: { hello: to }, to });
      expect(reply.to).toBe('browser-1:/');
      expect(reply.frm).toBe(to);
      expect(reply.via).toBeUndefined();
    }
    expect(counted.filter((service) => service === 'echo-svc').length).toBeGreaterThanOrEqual(2);
    await client.close();
  });

  it('sends instance@service routes to that instance', async () => {
    const instances = started.filter((h) => h.serviceName === 'echo-svc');
    const client = await connect();
    for (const target of instances) {
      const id = mid();
      client.sendJson({ to: `${target.instanceId}@echo-svc:/`, frm: 'client:/', mid: id, bdy: {} });
      expect((await client.reply(id)).bdy.by).toBe(target.instanceId);
    }
    await client.close();
  });

  it("passes a service's error reply on whole", async () => {
    const client = await connect();
    const id = mid();
    client.sendJson({ to: 'fail-svc:[post]/v1/orders', frm: 'client:/', mid: id, bdy: { id: 7 } });
    const reply = await client.reply(id);
    expect(reply.typ).toBe('error');
    expect(reply.frm).toBe('fail-svc:[post]/v1/orders');
    expect(reply.bdy).toEqual({
      ...errorBody(409, 'ConflictException', 'order 7 exists', { field: 'id' }),
      extra: [1, 2],
    });
    await client.close();
  });

  it('answers malformed JSON and invalid UMF with a 400 error reply and keeps the socket open', async () => {
    const client = await connect();
    client.sendText('{"to": "echo-svc:/", oops');
    const notJson = await client.next((m) => m.typ === 'error' && m.bdy.error.name === 'UmfParseError');
    expect(notJson.bdy).toMatchObject({
      statusCode: 400,
      result: { reason: expect.stringContaining('not valid JSON') },
    });
    expect(notJson.to).toBe(`${client.id}@client:/`);

    const id = mid();
    client.sendJson({ frm: 'client:/', mid: id, bdy: {} });
    const invalid = await client.reply(id);
    expect(invalid).toMatchObject({
      typ: 'error',
      bdy: { statusCode: 400, error: { name: 'UmfValidationError' } },
    });
    expect(invalid.bdy.error.message).toContain('"to" is required');

    const ping = mid();
    client.sendJson({ to: 'hydra-router:/', frm: 'client:/', mid: ping, typ: 'ping', bdy: {} });
    expect(await client.reply(ping)).toMatchObject({ typ: 'pong', bdy: { typ: 'pong' } });
    expect(client.closeCode).toBeUndefined();
    await client.close();
  });

  it('answers 503 for a service nobody runs and 504 when the service does not answer in time', async () => {
    const client = await connect();
    const none = mid();
    client.sendJson({ to: 'nobody-svc:[get]/v1/x', frm: 'client:/', mid: none, bdy: {} });
    const unavailable = await client.reply(none);
    expect(unavailable).toMatchObject({
      typ: 'error',
      to: 'client:/',
      frm: `${router.instanceId}@hydra-router:/`,
      bdy: { statusCode: 503, error: { name: 'ServiceUnavailableError' } },
    });

    const slow = mid();
    const sentAt = Date.now();
    client.sendJson({ to: 'slow-svc:/', frm: 'client:/', mid: slow, bdy: {} });
    const timedOut = await client.reply(slow);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1400);
    expect(timedOut).toMatchObject({
      typ: 'error',
      bdy: { statusCode: 504, error: { name: 'HydraTimeoutError' } },
    });
    await client.close();
  });

  it('refuses a request beyond the per-socket in-flight cap with 429, at once', async () => {
    held.length = 0;
    const client = await connect();
    const ids = [mid(), mid(), mid(), mid()];
    for (const id of ids) client.sendJson({ to: 'slow-svc:/', frm: 'client:/', mid: id, bdy: {} });
    const refused = await client.reply(ids[3]!);
    expect(refused.bdy).toMatchObject({ statusCode: 429, error: { name: 'TooManyRequestsError' } });
    await eventually(() => held.length === 3);
    const slowService = started.find((h) => h.serviceName === 'slow-svc')!;
    for (const m of held.splice(0)) await slowService.messaging.reply(m, { late: false });
    for (const id of ids.slice(0, 3)) expect((await client.reply(id)).bdy).toEqual({ late: false });
    await client.close();
  });

  it('serves many sockets at once, each getting only its own replies', async () => {
    const clients = await Promise.all(Array.from({ length: 40 }, () => connect()));
    await Promise.all(
      clients.map(async (client, c) => {
        const ids = [0, 1, 2].map(() => mid());
        ids.forEach((id, n) =>
          client.sendJson({ to: 'echo-svc:[put]/v1/n', frm: 'client:/', mid: id, bdy: { c, n } }),
        );
        for (const [n, id] of ids.entries()) expect((await client.reply(id)).bdy.echo).toEqual({ c, n });
      }),
    );
    for (const client of clients) {
      expect(client.received.filter((m) => m.rmid).length).toBe(3);
    }
    expect(gateway.stats().sockets).toBeGreaterThanOrEqual(40);
    await Promise.all(clients.map((c) => c.close()));
    await eventually(() => gateway.stats().sockets === 0, { what: 'every socket forgotten' });
  });

  it('leaves nothing behind when a socket with requests in flight goes away', async () => {
    held.length = 0;
    const client = await connect();
    const ids = [mid(), mid()];
    for (const id of ids) client.sendJson({ to: 'slow-svc:/', frm: 'client:/', mid: id, bdy: {} });
    await eventually(() => held.length === 2);
    expect(gateway.stats().inFlight).toBe(2);
    client.socket.terminate(); // gone without a close handshake
    await eventually(() => gateway.stats().sockets === 0);
    // Replies that come after the socket left are dropped; the pending requests end with them.
    const slowService = started.find((h) => h.serviceName === 'slow-svc')!;
    for (const m of held.splice(0)) await slowService.messaging.reply(m, { late: true });
    await eventually(() => gateway.stats().inFlight === 0 && router.messaging.inFlight === 0, {
      what: 'no request left waiting',
    });
    const push = { to: 'hydra-router:/', frm: 'echo-svc:/', mid: 'm', ts: '', ver: 'UMF/1.4.6', bdy: {} };
    expect(gateway.deliver({ ...push, fwd: `${client.id}@client:/` })).toBe(false);
  });

  it('closes a socket that sends a message over maxMessageBytes with code 1009', async () => {
    const client = await connect();
    client.sendJson({ to: 'echo-svc:/', frm: 'client:/', bdy: { big: 'x'.repeat(70 * 1024) } });
    expect(await client.whenClosed()).toBe(1009);
    await eventually(() => gateway.stats().sockets === 0);
  });

  it('answers router requests through the configured handler, 404 for others', async () => {
    const client = await connect();
    const version = mid();
    client.sendJson({ to: 'hydra-router:[GET]/v1/router/version', frm: 'client:/', mid: version, bdy: {} });
    expect((await client.reply(version)).bdy).toEqual({ version: 'test-version' });
    const unknown = mid();
    client.sendJson({ to: 'hydra-router:[get]/v1/router/nothing', frm: 'client:/', mid: unknown, bdy: {} });
    expect((await client.reply(unknown)).bdy).toMatchObject({ statusCode: 404 });
    await client.close();
  });

  it('delivers a message a service sends to a client through the router (via or fwd)', async () => {
    const client = await connect();
    const sender = started.find((h) => h.serviceName === 'echo-svc')!;
    await sender.messaging.sendMessage({
      to: `${router.instanceId}@hydra-router:/`,
      via: `${router.instanceId}-${client.id}@hydra-router:/`,
      typ: 'notice',
      bdy: { news: 1 },
    });
    await sender.messaging.sendMessage({
      to: `${router.instanceId}@hydra-router:/`,
      fwd: `${client.id}@client:/`,
      typ: 'notice',
      bdy: { news: 2 },
    });
    const first = await client.next((m) => m.typ === 'notice' && m.bdy.news === 1);
    expect(first.via).toBeUndefined();
    await client.next((m) => m.typ === 'notice' && m.bdy.news === 2);
    await client.close();
  });

  it('relays a message from one client to another named in fwd, 404 when that one is gone', async () => {
    const alice = await connect();
    const bob = await connect();
    alice.sendJson({
      to: 'hydra-router:/',
      frm: `${alice.id}@client:/`,
      fwd: `${bob.id}@client:/`,
      typ: 'chat',
      bdy: { hi: 'bob' },
    });
    const got = await bob.next((m) => m.typ === 'chat');
    expect(got).toMatchObject({ to: `${bob.id}@client:/`, frm: `${alice.id}@client:/`, bdy: { hi: 'bob' } });
    const bobId = bob.id;
    await bob.close();
    await eventually(() => gateway.stats().sockets === 1);
    const id = mid();
    alice.sendJson({ to: 'hydra-router:/', frm: 'client:/', mid: id, fwd: `${bobId}@client:/`, bdy: {} });
    expect((await alice.reply(id)).bdy).toMatchObject({
      statusCode: 404,
      error: { name: 'ClientNotConnectedError' },
    });
  });

  it('takes back an earlier socket id on reconnect', async () => {
    const first = await connect();
    const oldId = first.id;
    await first.close();
    await eventually(() => gateway.stats().sockets === 0);
    const second = await connect();
    second.sendJson({ to: 'hydra-router:/', frm: 'client:/', typ: 'reconnection', bdy: { id: oldId } });
    const again = await second.next((m) => m.typ === 'connection' && m.bdy.id === oldId);
    expect(again.to).toBe(`${oldId}@client:/`);
    await second.close();
  });

  it('on close, closes every socket with 1001 and removes its upgrade listener', async () => {
    const own = await listeningServer();
    const before = own.server.listenerCount('upgrade');
    const ownGateway = attachWebSocketGateway(own.server, router);
    expect(own.server.listenerCount('upgrade')).toBe(before + 1);
    const clients = await Promise.all([1, 2, 3].map(() => TestClient.connect(own.url)));
    await ownGateway.close();
    expect(await Promise.all(clients.map((c) => c.whenClosed()))).toEqual([1001, 1001, 1001]);
    expect(own.server.listenerCount('upgrade')).toBe(before);
    expect(ownGateway.stats().sockets).toBe(0);
    await own.stop();
    expect(upgradeListenersBefore).toBe(0);
  });
});
