import { createRequire } from 'node:module';
import { Hydra } from '@hydra-nest/core';
import { attachWebSocketGateway, type WebSocketGateway } from '@hydra-nest/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, useRedis } from '../../../test/harness/redis.js';
import { HydraPeer } from '../../../test/interop/hydra-peer.js';
import { TestClient, listeningServer, startRouterInstance } from './ws-test-client.js';

// Issue #18: real Hydra 1.9.3 services behind the WebSocket gateway, and the exact messages that
// hydra-router's own clients send (its WSSend tool, its artillery scenario, its documentation).
// Standalone only: Hydra 1.x cannot run on a Redis Cluster.

/** Hydra's own UMF helper, the one hydra-router's WSSend client builds its messages with. */
interface HydraUmf {
  createMessage(message: Record<string, unknown>): {
    mid: string;
    type?: string;
    body: any;
    validate(): boolean;
    toJSON(): Record<string, unknown>;
  };
}
const HydraUMF = createRequire(import.meta.url)('hydra/lib/umfmessage.js') as HydraUmf;

const redis = useRedis();
let legacy: HydraPeer;
let failing: HydraPeer;
let router: Hydra;
let gateway: WebSocketGateway;
let http: Awaited<ReturnType<typeof listeningServer>>;

beforeAll(async () => {
  [legacy, failing] = await Promise.all([
    HydraPeer.start({ redisUrl: redis.urlFor(15), serviceName: 'legacy-svc', servicePort: await freePort() }),
    HydraPeer.start({
      redisUrl: redis.urlFor(15),
      serviceName: 'legacy-fail-svc',
      servicePort: await freePort(),
    }),
  ]);
  await legacy.autoReply({ bodyTemplate: { served: 'hydra 1.9.3' } });
  // A Hydra 1.x service answering with an error of hydra-nest's shape plus fields of its own.
  await failing.autoReply({
    typ: 'error',
    bodyTemplate: {
      statusCode: 422,
      statusMessage: 'Unprocessable Entity',
      result: { reason: 'quantity must be positive' },
      error: { name: 'ValidationError', message: 'quantity must be positive' },
      hint: 'send quantity >= 1',
    },
  });
  router = await startRouterInstance(redis.urlFor(15));
  http = await listeningServer();
  gateway = attachWebSocketGateway(http.server, router, {
    routerRequests: (_m, route) => (route.path === '/v1/router/version' ? { version: '0.1.0' } : undefined),
  });
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await http?.stop();
  await router?.stop();
  await Promise.all([legacy?.stop(), failing?.stop()]);
});

describe('WebSocket gateway with real Hydra 1.9.3 services', () => {
  it('forwards a [method] route to a Hydra service over pub/sub and passes its reply on', async () => {
    const client = await TestClient.connect(http.url);
    client.sendJson({
      to: 'legacy-svc:[post]/v1/legacy/echo',
      frm: 'client:/',
      mid: 'hydra-1',
      bdy: { n: 1 },
    });
    const reply = await client.reply('hydra-1');
    expect(reply.bdy).toEqual({ echo: { n: 1 }, served: 'hydra 1.9.3' });
    expect(reply.frm).toBe('legacy-svc:[post]/v1/legacy/echo');
    const received = legacy.messages.find((m) => (m.bdy as { n?: number })?.n === 1)!;
    expect(received.to).toContain('legacy-svc:[post]/v1/legacy/echo');
    expect(received.frm).toBe(`${router.instanceId}@hydra-router:/`);
    await client.close();
  });

  it("passes a Hydra service's error reply on whole", async () => {
    const client = await TestClient.connect(http.url);
    client.sendJson({
      to: 'legacy-fail-svc:[post]/v1/orders',
      frm: 'client:/',
      mid: 'hydra-2',
      bdy: { quantity: 0 },
    });
    const reply = await client.reply('hydra-2');
    expect(reply.typ).toBe('error');
    expect(reply.bdy).toEqual({
      echo: { quantity: 0 },
      statusCode: 422,
      statusMessage: 'Unprocessable Entity',
      result: { reason: 'quantity must be positive' },
      error: { name: 'ValidationError', message: 'quantity must be positive' },
      hint: 'send quantity >= 1',
    });
    await client.close();
  });
});

describe("hydra-router's own clients", () => {
  it("WSSend: a long-form message from Hydra's UMF helper, reply matched on rmid", async () => {
    const client = await TestClient.connect(http.url);
    // Exactly ws-send-api.js: createMessage({to, from: 'client:/', body: {}}) stringified (long form).
    const umf = HydraUMF.createMessage({
      to: 'legacy-svc:[get]/v1/legacy/status',
      from: 'client:/',
      body: {},
    });
    client.sendText(JSON.stringify(umf));
    const reply = await client.reply(umf.mid);
    expect(reply.bdy).toMatchObject({ served: 'hydra 1.9.3' });
    // The client reads replies with the same helper; they must be valid UMF to it.
    expect(HydraUMF.createMessage(reply).validate()).toBe(true);
    await client.close();
  });

  it("the documentation's example message (long keys, UMF/1.4.3, an old timestamp)", async () => {
    const client = await TestClient.connect(http.url);
    client.sendJson({
      to: 'legacy-svc:/',
      version: 'UMF/1.4.3',
      from: 'tester:/',
      mid: '4736ef3d-fcbb-46aa-80a0-f4f3493e1d74',
      timestamp: '2017-01-12T20:16:29.157Z',
      body: {},
    });
    const reply = await client.reply('4736ef3d-fcbb-46aa-80a0-f4f3493e1d74');
    expect(reply.to).toBe('tester:/');
    expect(reply.bdy).toMatchObject({ served: 'hydra 1.9.3' });
    await client.close();
  });

  it('the welcome message reads as hydra-router\'s: a valid UMF "connection" with bdy.id', async () => {
    const client = await TestClient.connect(http.url);
    const welcome = HydraUMF.createMessage(client.received[0]!);
    expect(welcome.validate()).toBe(true);
    expect(welcome.type).toBe('connection');
    expect(welcome.body.id).toBe(client.id);
    await client.close();
  });

  it('the artillery scenario: router requests without a mid, [GET] in capitals', async () => {
    const client = await TestClient.connect(http.url);
    client.sendText('{"to": "hydra-router:[GET]/v1/router/version","from": "client:/","body": {}}');
    const version = await client.next((m) => m.rmid !== undefined && m.bdy?.version !== undefined);
    expect(version).toMatchObject({ to: 'client:/', bdy: { version: '0.1.0' } });
    client.sendText('{"to": "hydra-router:[GET]/v1/router/health","from": "client:/","body": {}}');
    const health = await client.next((m) => m.bdy?.statusCode === 404);
    expect(health.typ).toBe('error');
    await client.close();
  });

  it('ping and the documented reconnection message', async () => {
    const first = await TestClient.connect(http.url);
    const oldId = first.id;
    first.sendJson({ to: 'hydra-router:/', from: 'client:/', mid: 'p1', type: 'ping', body: {} });
    expect(await first.reply('p1')).toMatchObject({ typ: 'pong', bdy: { typ: 'pong' } });
    await first.close();

    const second = await TestClient.connect(http.url);
    second.sendJson({
      to: 'hydra-router:/',
      frm: 'client:/',
      mid: 'e173a0da-2785-4f83-8b39-0dea954dd91b',
      typ: 'reconnection',
      ver: 'UMF/1.4.3',
      bdy: { id: oldId },
    });
    await second.next((m) => m.typ === 'connection' && m.bdy.id === oldId);
    await second.close();
    expect(gateway.stats().malformed).toBe(0);
  });
});
