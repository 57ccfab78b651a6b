import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/harness/redis.js';
import { useTopology } from '../../../test/harness/topology.js';
import { sleep } from '../../../test/harness/wait.js';
import { Hydra } from '../src/hydra.js';
import { useHydraNodes } from './hydra-nodes.js';
import { uniqueService } from './registry-support.js';

const topology = useTopology();
const nodes = useHydraNodes(topology);
const servers: http.Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

function node(serviceName: string, servicePort?: number): Promise<Hydra> {
  return nodes.node(serviceName, { servicePort });
}

/** A real HTTP server that counts the requests it ran and the connections it accepted. */
interface CountingServer {
  port: number;
  /** Requests whose handler ran (counted when the request arrived, before any delay). */
  runs: number;
  connections: number;
  server: http.Server;
}

async function countingServer(
  answer: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<CountingServer> {
  const counting: CountingServer = { port: 0, runs: 0, connections: 0, server: undefined! };
  const s = http.createServer((req, res) => {
    counting.runs++;
    req.resume();
    req.on('end', () => answer(req, res));
  });
  s.on('connection', () => counting.connections++);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  counting.port = (s.address() as { port: number }).port;
  counting.server = s;
  return counting;
}

function json(res: http.ServerResponse, statusCode: number, body: object): void {
  res.statusCode = statusCode;
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

/** Answers after `ms`: slower than the caller's timeout in these tests. */
const slowly =
  (ms: number, body: object = { slow: true }) =>
  (_req: http.IncomingMessage, res: http.ServerResponse) =>
    setTimeout(() => !res.destroyed && json(res, 200, body), ms);

const quickly = (body: object) => (req: http.IncomingMessage, res: http.ServerResponse) =>
  json(res, req.method === 'POST' ? 201 : 200, { ...body, method: req.method });

describe('makeAPIRequest retries only what cannot have run, or may safely run twice', () => {
  it('runs a slow POST exactly once and answers 504 naming the instance, instead of sending it again', async () => {
    const service = uniqueService('orders-svc');
    const a = await countingServer(slowly(600));
    const b = await countingServer(slowly(600));
    const instanceA = await node(service, a.port);
    const instanceB = await node(service, b.port);
    const client = await node('client-svc');

    const response = await client.messaging.makeAPIRequest(
      { to: `${service}:[post]/v1/orders`, frm: 'client-svc:/', bdy: { item: 'book' } },
      { timeoutMs: 200 },
    );

    expect(response).toMatchObject({ statusCode: 504, statusMessage: 'Gateway Timeout' });
    const reason = (response.result as { reason: string }).reason;
    const hit = a.runs === 1 ? instanceA : instanceB;
    expect(reason).toContain(`no response from ${service} instance ${hit.instanceId}`);
    expect(reason).toContain('POST /v1/orders within 200 ms');
    expect(reason).toContain('not retried on another instance because POST is not idempotent');
    await sleep(700); // both handlers would have finished by now
    expect(a.runs + b.runs).toBe(1);
    // A slow instance is not a gone one: both are still picked.
    expect(client.instances.get(service, instanceA.instanceId)).toBeDefined();
    expect(client.instances.get(service, instanceB.instanceId)).toBeDefined();
  });

  it('sends a slow GET again to the other instance, which answers', async () => {
    const service = uniqueService('catalog-svc');
    const slow = await countingServer(slowly(1000));
    const fast = await countingServer(quickly({ from: 'fast' }));
    const slowInstance = await node(service, slow.port);
    await node(service, fast.port);
    const client = await node('client-svc');

    for (let i = 0; i < 2; i++) {
      const response = await client.messaging.makeAPIRequest(
        { to: `${service}:[get]/v1/items/${i}`, frm: 'client-svc:/', bdy: {} },
        { timeoutMs: 200 },
      );
      expect(response).toMatchObject({ statusCode: 200, from: 'fast', method: 'GET' });
    }
    expect(slow.runs).toBeGreaterThanOrEqual(1); // round-robin chose it, and the GET went on to the fast one
    expect(fast.runs).toBe(2);
    expect(client.instances.get(service, slowInstance.instanceId)).toBeDefined();
  });

  it('sends a POST to another instance when its connection is refused, and drops the refusing one', async () => {
    const service = uniqueService('payments-svc');
    const refusing = await node(service, await freePort()); // registered, nothing listens there
    const live = await countingServer(quickly({ paid: true }));
    await node(service, live.port);
    const client = await node('client-svc');

    for (let i = 0; i < 3; i++) {
      const response = await client.messaging.makeAPIRequest({
        to: `${service}:[post]/v1/payments`,
        frm: 'client-svc:/',
        bdy: { amount: i + 1 },
      });
      expect(response).toMatchObject({ statusCode: 201, paid: true });
    }
    expect(live.runs).toBe(3);
    expect(client.instances.get(service, refusing.instanceId)).toBeUndefined();
  });

  it('answers 502 and does not send again a POST whose connection broke after it was sent', async () => {
    const service = uniqueService('mail-svc');
    const breaking = await countingServer((req) => req.socket.destroy());
    const other = await countingServer(quickly({ sent: true }));
    await node(service, breaking.port);
    await node(service, other.port);
    const client = await node('client-svc');

    const responses = [];
    for (let i = 0; i < 2; i++) {
      responses.push(
        await client.messaging.makeAPIRequest({
          to: `${service}:[post]/v1/mails`,
          frm: 'client-svc:/',
          bdy: { i },
        }),
      );
    }
    // Round-robin: one call went to each; the broken one was not sent on to the other instance.
    expect(breaking.runs).toBe(1);
    expect(other.runs).toBe(1);
    const failed = responses.find((r) => r.statusCode !== 201);
    expect(failed).toMatchObject({ statusCode: 502, statusMessage: 'Bad Gateway' });
    expect((failed!.result as { reason: string }).reason).toMatch(
      /closed the connection after POST \/v1\/mails was sent, before it answered; not retried/,
    );
  });

  for (const method of ['post', 'get'] as const) {
    it(`sends a ${method.toUpperCase()} again, once, when the server had closed the kept-alive connection`, async () => {
      const service = uniqueService('notes-svc');
      const only = await countingServer(quickly({ ok: true }));
      await node(service, only.port);
      const client = await node('client-svc');
      const call = () =>
        client.messaging.makeAPIRequest({
          to: `${service}:[${method}]/v1/notes`,
          frm: 'client-svc:/',
          bdy: {},
        });

      expect(await call()).toMatchObject({ ok: true });
      // The server closes its idle connection; the client has not read that yet when it sends again.
      only.server.closeIdleConnections();
      expect(await call()).toMatchObject({ ok: true });
      expect(only.runs).toBe(2);
      expect(only.connections).toBe(2);
    });
  }
});
