import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, useRedis } from '../harness/redis.js';
import { HydraPeer, type HydraNode, type HydraServerResponse, type UMFShort } from './hydra-peer.js';

describe('HydraPeer: real hydra 1.9.3 instances in child processes', () => {
  const redis = useRedis();
  let a: HydraPeer | undefined;
  let b: HydraPeer | undefined;
  let aPort = 0;

  beforeAll(async () => {
    aPort = await freePort();
    [a, b] = await Promise.all([
      HydraPeer.start({
        redisUrl: redis.urlFor(15),
        serviceName: 'peer-a',
        servicePort: aPort,
        serviceVersion: '1.2.3',
        routes: ['[get]/v1/peer-a/items', '[post]/v1/peer-a/items'],
      }),
      HydraPeer.start({ redisUrl: redis.urlFor(15), serviceName: 'peer-b' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('starts two instances with distinct instance ids and a deterministic version', () => {
    expect(a!.instanceId).toMatch(/^[0-9a-f]{32}$/);
    expect(b!.instanceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a!.instanceId).not.toBe(b!.instanceId);
    expect(a!.config.serviceVersion).toBe('1.2.3');
    expect(b!.config.serviceVersion).toBe('1.0.0');
  });

  it('B finds A with getServicePresence (nodes entry as Hydra writes it)', async () => {
    const presence = await b!.call<HydraNode[]>('getServicePresence', 'peer-a');
    expect(presence).toHaveLength(1);
    expect(presence[0]).toMatchObject({
      serviceName: 'peer-a',
      instanceID: a!.instanceId,
      version: '1.2.3',
      ip: '127.0.0.1',
      port: String(aPort), // a configured port is published as a string
    });
    const routes = await b!.call<Record<string, string[]>>('getAllServiceRoutes');
    expect(routes['peer-a']).toEqual(expect.arrayContaining(['[get]/v1/peer-a/items', '[get]/peer-a/:rest']));
  });

  it("B sendMessage to A; A's auto-reply reaches B with rmid = the request's mid", async () => {
    await a!.autoReply({ bodyTemplate: { from: 'peer-a' } });
    const request = await b!.call<UMFShort>('createUMFMessage', {
      to: 'peer-a:/',
      frm: `${b!.instanceId}@peer-b:/`,
      bdy: { hello: 'a' },
    });
    expect(request.mid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await b!.call('sendMessage', request)).toBeNull(); // Hydra resolves undefined on publish

    const reply = await b!.waitForMessage((m) => m.rmid === request.mid);
    expect(reply).toMatchObject({
      to: `${b!.instanceId}@peer-b:/`,
      frm: 'peer-a:/',
      rmid: request.mid,
      bdy: { echo: { hello: 'a' }, from: 'peer-a' },
    });
    expect(reply.mid).not.toBe(request.mid);
    expect(a!.messages.some((m) => m.mid === request.mid)).toBe(true);
    await a!.autoReply(null);
  });

  it('A listens on its published port and B makeAPIRequest gets 200 with the ServerResponse shape', async () => {
    expect(await a!.listen()).toEqual({ port: aPort });
    const response = await b!.call<HydraServerResponse>('makeAPIRequest', {
      to: 'peer-a:[post]/v1/peer-a/items?x=1',
      frm: 'peer-b:/',
      bdy: { n: 1 },
    });
    expect(response).toMatchObject({
      statusCode: 200,
      statusMessage: 'OK',
      statusDescription: 'Request succeeded without error',
      result: { method: 'POST', url: '/v1/peer-a/items?x=1', body: { n: 1 } },
    });
  });

  it('rejects calls to unknown methods with the child error', async () => {
    await expect(b!.call('noSuchMethod')).rejects.toThrow(/no public method "noSuchMethod"/);
  });

  it('stop() is idempotent and never hangs', async () => {
    const c = await HydraPeer.start({ redisUrl: redis.urlFor(15), serviceName: 'peer-c', register: false });
    const started = Date.now();
    await Promise.all([c.stop(), c.stop()]);
    await c.stop();
    expect(Date.now() - started).toBeLessThan(3500);
    await expect(c.call('getInstanceID')).rejects.toThrow(/not running/);
  });
});
