import { once } from 'node:events';
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { UmfMessage } from '@hydra-nest/umf';
import { freePort } from '../../../test/harness/redis.js';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually, sleep } from '../../../test/harness/wait.js';
import { Hydra } from '../src/hydra.js';
import { useHydraNodes } from './hydra-nodes.js';
import { MessagingConnectionError } from '../src/messaging/index.js';

const topology = useTopology();
const { keys } = topology;

/**
 * Answers with the body it got. While Redis restarts, the requester may not listen yet (or any more) when
 * the reply goes out; that request then times out and is asked again, so the failed reply is dropped.
 */
function echoBack(hydra: Hydra, message: UmfMessage): void {
  hydra.messaging.reply(message, { echoed: message.bdy }).catch(() => undefined);
}
const nodes = useHydraNodes(topology);
const servers: http.Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) s.close();
});

function node(serviceName: string, servicePort?: number): Promise<Hydra> {
  return nodes.node(serviceName, { servicePort });
}

async function httpServer(port: number, answer: object): Promise<void> {
  const s = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ ...answer, method: req.method, url: req.url }));
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(port, '127.0.0.1', r));
}

describe('makeAPIRequest', () => {
  it('calls a discovered instance over HTTP and fails over to another when one is unreachable', async () => {
    const deadPort = await freePort(); // registered, but nothing listens there
    const livePort = await freePort();
    await httpServer(livePort, { statusCode: 200, result: { ok: true } });
    await node('api-svc', deadPort);
    await node('api-svc', livePort);
    const client = await node('client-svc');
    for (let i = 0; i < 4; i++) {
      const response = await client.messaging.makeAPIRequest({
        to: 'api-svc:[get]/v1/ping',
        frm: 'client-svc:/',
        bdy: {},
      });
      expect(response).toMatchObject({
        statusCode: 200,
        result: { ok: true },
        method: 'GET',
        url: '/v1/ping',
      });
    }
  });

  it('answers 503 when no instance can be reached and 400 for a route without a method', async () => {
    await node('down-svc', await freePort());
    const client = await node('client-svc');
    const unavailable = await client.messaging.makeAPIRequest({
      to: 'down-svc:[get]/v1/ping',
      frm: 'client-svc:/',
      bdy: {},
    });
    expect(unavailable).toMatchObject({
      statusCode: 503,
      result: { reason: 'An instance of down-svc is unavailable' },
    });
    const bad = await client.messaging.makeAPIRequest({
      to: 'down-svc:/v1/ping',
      frm: 'client-svc:/',
      bdy: {},
    });
    expect(bad).toMatchObject({
      statusCode: 400,
      result: { reason: 'HTTP method not specified in `to` field' },
    });
  });
});

describe('requests when Redis goes away', () => {
  // Redis goes away: the one server, or every node of the cluster (a master's loss alone is a failover to
  // its replica, which cluster-faults.test.ts covers). It comes back empty, as after a crash.
  it('rejects the requests in flight within a second instead of leaving them to time out', async () => {
    const mute = await node('mute-svc');
    mute.messaging.setHandler(() => undefined);
    const client = await node('client-svc');
    const pending = client.messaging
      .request({ to: 'mute-svc:/', bdy: {} }, { timeoutMs: 20_000 })
      .catch((e) => e);
    await new Promise((r) => setTimeout(r, 50));
    const killedAt = Date.now();
    await topology.crashRedis();
    const error = await pending;
    expect(error).toBeInstanceOf(MessagingConnectionError);
    expect(error.message).toMatch(/connection was lost/);
    expect(Date.now() - killedAt).toBeLessThan(1000);
    await topology.bringRedisBack();
    const channel = keys.instanceChannel('client-svc', client.instanceId);
    await eventually(async () => (await topology.subscribers(channel)) === 1, { timeoutMs: 10_000 });
  });

  it('stops cleanly while re-subscribing after a reconnect: no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      // Not registered: stop() then closes the subscriber synchronously, before its first await.
      const client = await nodes.node('client-svc', { register: false });
      await topology.crashRedis();
      const stopped = new Promise<void>((resolve) =>
        // Stop the moment the subscriber is ready again, while its re-subscription is being written.
        client.subscriber.once('ready', () => void client.stop().then(resolve)),
      );
      await topology.bringRedisBack();
      await stopped;
      await new Promise((r) => setTimeout(r, 100));
      expect(unhandled).toEqual([]);
      expect(client.subscriber.status).toBe('end');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('subscribes again after Redis restarts, and messages reach it', async () => {
    const echo = await node('echo-svc');
    echo.messaging.setHandler((message) => echoBack(echo, message));
    const client = await node('client-svc');
    await topology.crashRedis();
    await topology.bringRedisBack();
    const reply = await eventually(
      () =>
        client.messaging
          .request({ to: 'echo-svc:/', bdy: { n: 1 } }, { timeoutMs: 500 })
          .catch(() => undefined),
      { timeoutMs: 10_000 },
    );
    expect(reply?.bdy).toEqual({ echoed: { n: 1 } });
  });

  it('connects again both connections when ioredis gives up on them (status end) while running', async () => {
    const echo = await node('phoenix-svc');
    echo.messaging.setHandler((message) => echoBack(echo, message));
    const client = await node('client-svc');
    // What ioredis does on the paths its retry strategy never sees: end the connection for good. (A
    // cluster client moves on from status `end` to `close` as its node connections drain.)
    const ended = Promise.all([once(echo.subscriber, 'end'), once(echo.redis, 'end')]);
    echo.subscriber.disconnect();
    echo.redis.disconnect();
    await ended;
    await eventually(() => echo.redis.status === 'ready' && echo.subscriber.status === 'ready', {
      timeoutMs: 3000,
      what: 'both connections ready again',
    });
    const reply = await eventually(
      () =>
        client.messaging
          .request({ to: 'phoenix-svc:/', bdy: { n: 2 } }, { timeoutMs: 500 })
          .catch(() => undefined),
      { timeoutMs: 5000, what: 'a request answered after the revival' },
    );
    expect(reply?.bdy).toEqual({ echoed: { n: 2 } });
    await echo.stop();
    await sleep(700); // longer than the pause before a revival: what stop() closed stays closed
    expect([echo.redis.status, echo.subscriber.status]).toEqual(['end', 'end']);
  });
});

describe('requests while the subscriber connection is away', () => {
  it('holds a request until its reply can be received, then sends it', async () => {
    const echo = await node('echo-svc');
    echo.messaging.setHandler((message) => echoBack(echo, message));
    const client = await node('client-svc');
    const closed = once(client.subscriber, 'close');
    client.subscriber.disconnect(true); // drop it; ioredis connects again after its retry delay
    await closed;
    const reply = await client.messaging.request({ to: 'echo-svc:/', bdy: { n: 3 } }, { timeoutMs: 3000 });
    expect(reply.bdy).toEqual({ echoed: { n: 3 } });
    expect(client.messaging.stats.timeouts).toBe(0);
  });

  it('holds a request while Redis drops the subscriber connection (CLIENT KILL), then sends it', async () => {
    const echo = await node('echo-svc');
    echo.messaging.setHandler((message) => echoBack(echo, message));
    const client = await node('client-svc');
    await client.instances.watch('echo-svc');
    const closed = once(client.subscriber, 'close');
    await topology.killConnection(client.subscriber); // on a cluster, its connection to its slot's master
    await closed;
    const reply = await client.messaging.request({ to: 'echo-svc:/', bdy: { n: 7 } }, { timeoutMs: 3000 });
    expect(reply.bdy).toEqual({ echoed: { n: 7 } });
    expect(client.messaging.stats.timeouts).toBe(0);
    expect(client.connections.snapshot()?.subscriber).toMatchObject({ state: 'ready', losses: 1 });
  });

  it('holds a request while the command connection reconnects, then sends it (it queues nothing offline)', async () => {
    const echo = await node('echo-svc');
    echo.messaging.setHandler((message) => echoBack(echo, message));
    const client = await node('client-svc');
    await client.instances.watch('echo-svc');
    const closed = once(client.redis, 'close');
    client.redis.disconnect(true); // drop it; ioredis connects again after its retry delay
    await closed;
    expect(client.redis.status).not.toBe('ready');
    const reply = await client.messaging.request({ to: 'echo-svc:/', bdy: { n: 5 } }, { timeoutMs: 3000 });
    expect(reply.bdy).toEqual({ echoed: { n: 5 } });
  });

  it('sends a reply once the callee’s command connection is back, when the request came in before it', async () => {
    const echo = await node('echo-svc');
    echo.messaging.setHandler((message) => echoBack(echo, message));
    const client = await node('client-svc');
    await client.instances.watch('echo-svc');
    const closed = once(echo.redis, 'close');
    echo.redis.disconnect(true); // the callee's subscriber still hears the request; its PUBLISH must wait
    await closed;
    const reply = await client.messaging.request({ to: 'echo-svc:/', bdy: { n: 6 } }, { timeoutMs: 3000 });
    expect(reply.bdy).toEqual({ echoed: { n: 6 } });
  });

  it('rejects a held request at its deadline, saying replies cannot be received yet', async () => {
    const echo = await node('echo-svc');
    echo.messaging.setHandler((message) => echoBack(echo, message));
    const client = await node('client-svc');
    const closed = once(client.subscriber, 'close');
    client.subscriber.disconnect(); // ended for good: the instance connects it again after a pause
    await closed;
    const error = await client.messaging
      .request({ to: 'echo-svc:/', bdy: {} }, { timeoutMs: 150 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagingConnectionError);
    expect((error as Error).message).toMatch(/not sent within 150 ms: .*subscriber connection/);
    expect(echo.messaging.stats.received).toBe(0); // never sent
    const reply = await client.messaging.request({ to: 'echo-svc:/', bdy: { n: 4 } }, { timeoutMs: 3000 });
    expect(reply.bdy).toEqual({ echoed: { n: 4 } });
  });
});
