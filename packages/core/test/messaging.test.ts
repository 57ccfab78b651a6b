import { afterEach, describe, expect, it } from 'vitest';
import type { UmfMessage } from '@hydra-nest/umf';
import { onCluster, useTopology } from '../../../test/harness/topology.js';
import { eventually } from '../../../test/harness/wait.js';
import { Hydra } from '../src/hydra.js';
import { silentLogger } from '../src/logger.js';
import {
  errorBody,
  ERROR_REPLY_TYPE,
  HydraTimeoutError,
  MessagingConnectionError,
  RemoteError,
  ServiceUnavailableError,
} from '../src/messaging/index.js';

const topology = useTopology();
const { keys } = topology;
const started: Hydra[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((h) => h.stop()));
});

async function node(serviceName: string, answer?: (m: UmfMessage, h: Hydra) => unknown): Promise<Hydra> {
  const hydra = new Hydra({
    serviceName,
    serviceIP: '127.0.0.1',
    logger: silentLogger,
    redis: topology.redis,
  });
  started.push(hydra);
  await hydra.start();
  if (answer) {
    hydra.messaging.setHandler((message) => {
      const body = answer(message, hydra);
      if (body !== undefined) void hydra.messaging.sendReplyMessage(message, { bdy: body });
    });
  }
  return hydra;
}

describe('Messenger request-reply', () => {
  it('correlates the reply on rmid and resolves it', async () => {
    await node('echo-svc', (m) => ({ echo: m.bdy }));
    const client = await node('client-svc');
    const reply = await client.messaging.request({ to: 'echo-svc:[post]/v1/echo', bdy: { n: 1 } });
    expect(reply.bdy).toEqual({ echo: { n: 1 } });
    expect(reply.frm).toBe('echo-svc:[post]/v1/echo');
    expect(reply.to).toBe(`${client.instanceId}@client-svc:/`);
  });

  it('sends requests and replies on instance channels: PUBLISH on one server, SPUBLISH on a cluster', async () => {
    await node('echo-svc', (m) => ({ echo: m.bdy }));
    const client = await node('client-svc');
    const [used, unused] = onCluster ? ['spublish', 'publish'] : ['publish', 'spublish'];
    const before = await Promise.all([topology.commandCalls(used), topology.commandCalls(unused)]);
    for (let i = 0; i < 5; i++) await client.messaging.request({ to: 'echo-svc:/', bdy: { i } });
    const after = await Promise.all([topology.commandCalls(used), topology.commandCalls(unused)]);
    expect([after[0] - before[0], after[1] - before[1]]).toEqual([10, 0]);
  });

  it('spreads requests round-robin over the instances present', async () => {
    const servers = await Promise.all([0, 1, 2].map(() => node('rr-svc', (_m, h) => ({ by: h.instanceId }))));
    const client = await node('client-svc');
    const counts = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const reply = await client.messaging.request({ to: 'rr-svc:/', bdy: { i } });
      const by = (reply.bdy as { by: string }).by;
      counts.set(by, (counts.get(by) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(servers.map((s) => s.instanceId).sort());
    expect([...counts.values()]).toEqual([10, 10, 10]);
  });

  it('targets one instance with instance@service', async () => {
    const [, b] = await Promise.all([0, 1].map(() => node('pick-svc', (_m, h) => ({ by: h.instanceId }))));
    const client = await node('client-svc');
    for (let i = 0; i < 4; i++) {
      const reply = await client.messaging.request({ to: `${b!.instanceId}@pick-svc:/`, bdy: {} });
      expect((reply.bdy as { by: string }).by).toBe(b!.instanceId);
    }
  });

  it('rejects with a timeout naming service, route and attempts when nobody answers', async () => {
    await node('mute-svc', () => undefined);
    const client = await node('client-svc');
    const error = await client.messaging
      .request({ to: 'mute-svc:/v1/x', bdy: {} }, { timeoutMs: 200 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(HydraTimeoutError);
    expect(error.message).toMatch(
      /^no reply from mute-svc to "mute-svc:\/v1\/x" within 200 ms \(1 attempt\)/,
    );
  });

  it('rejects with ServiceUnavailableError when no instance is present, after its retries', async () => {
    const client = await node('client-svc');
    const error = await client.messaging
      .request({ to: 'ghost-svc:/', bdy: {} }, { retries: 1 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error.message).toBe('Unavailable ghost-svc instances');
    expect(client.messaging.stats.retries).toBe(1);
  });

  it('turns an error reply into a typed RemoteError', async () => {
    const failing = await node('fail-svc');
    failing.messaging.setHandler((m) => {
      void failing.messaging.sendReplyMessage(m, {
        typ: ERROR_REPLY_TYPE,
        bdy: errorBody(400, 'BadRequestException', 'name must be a string', ['name must be a string']),
      });
    });
    const client = await node('client-svc');
    const error = await client.messaging.request({ to: 'fail-svc:/', bdy: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({
      statusCode: 400,
      remoteName: 'BadRequestException',
      details: ['name must be a string'],
    });
    expect(error.message).toBe('fail-svc answered 400 BadRequestException: name must be a string');
    // The reply itself, whole, for gateways that pass it on (the WebSocket gateway does).
    expect(error.reply).toMatchObject({
      typ: ERROR_REPLY_TYPE,
      frm: 'fail-svc:/',
      bdy: errorBody(400, 'BadRequestException', 'name must be a string', ['name must be a string']),
    });
  });

  it('retries on another instance when the chosen one goes away before answering', async () => {
    const slowpoke = await node('flaky-svc', () => undefined); // takes the message, never answers
    const client = await node('client-svc');
    await client.instances.watch('flaky-svc');
    const healthy = await node('flaky-svc', (_m, h) => ({ by: h.instanceId }));
    await eventually(() => client.instances.peek('flaky-svc')!.length === 2);
    // Aim the round robin at the silent instance, then stop it while the request waits.
    while (client.instances.pick('flaky-svc')!.instanceID !== healthy.instanceId);
    const pending = client.messaging.request({ to: 'flaky-svc:/', bdy: {} }, { timeoutMs: 4000 });
    await new Promise((r) => setTimeout(r, 50));
    await slowpoke.stop();
    const reply = await pending;
    expect((reply.bdy as { by: string }).by).toBe(healthy.instanceId);
    expect(client.messaging.stats.retries).toBeGreaterThanOrEqual(1);
  });

  it('rejects pending requests at once when the instance stops', async () => {
    await node('mute-svc', () => undefined);
    const client = await node('client-svc');
    const pending = client.messaging
      .request({ to: 'mute-svc:/', bdy: {} }, { timeoutMs: 10_000 })
      .catch((e) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await client.stop();
    const error = await pending;
    expect(error).toBeInstanceOf(MessagingConnectionError);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('Messenger one-way messages', () => {
  it('broadcasts to every instance of a service', async () => {
    const seen: string[] = [];
    const nodes = await Promise.all([0, 1].map(() => node('bc-svc')));
    for (const n of nodes)
      n.messaging.setHandler((m, broadcast) => broadcast && seen.push(`${n.instanceId}:${(m.bdy as any).x}`));
    const client = await node('client-svc');
    await client.messaging.sendBroadcastMessage({ to: 'bc-svc:/', frm: 'client-svc:/', bdy: { x: 1 } });
    await eventually(() => seen.length === 2);
    expect(seen.sort()).toEqual(nodes.map((n) => `${n.instanceId}:1`).sort());
  });

  it('counts malformed payloads, never throws, and keeps serving later messages', async () => {
    const target = await node('sturdy-svc', (m) => ({ ok: m.bdy }));
    const channel = keys.instanceChannel('sturdy-svc', target.instanceId);
    await topology.publish(channel, 'this is not json');
    await topology.publish(channel, JSON.stringify({ to: 'sturdy-svc:/', bdy: { missing: 'frm' } }));
    await topology.publish(channel, '[1,2,3]');
    await eventually(() => target.messaging.stats.malformed === 3);
    const client = await node('client-svc');
    expect((await client.messaging.request({ to: 'sturdy-svc:/', bdy: 7 })).bdy).toEqual({ ok: 7 });
  });
});

describe('Messenger before a handler is installed', () => {
  it('keeps requests that arrive between registration and the transport listening, then serves them', async () => {
    const late = await node('late-svc');
    const client = await node('client-svc');
    const reply = client.messaging.request({ to: 'late-svc:/', bdy: { early: true } });
    await new Promise((r) => setTimeout(r, 100));
    late.messaging.setHandler((m) => void late.messaging.sendReplyMessage(m, { bdy: { got: m.bdy } }));
    expect((await reply).bdy).toEqual({ got: { early: true } });
  });

  it('answers 503 to a request beyond the 1,000 messages kept for the first handler, and counts it', async () => {
    const late = await node('late-svc');
    const client = await node('client-svc');
    for (let i = 0; i < 1000; i++) void client.messaging.sendMessage({ to: 'late-svc:/', bdy: { i } });
    await eventually(() => late.messaging.stats.received === 1000);
    const error = await client.messaging
      .request({ to: 'late-svc:/', bdy: { one: 'too many' } }, { timeoutMs: 2000, retries: 0 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect(error).toMatchObject({ statusCode: 503 });
    expect((error as Error).message).toMatch(/is not serving messages yet: 1000 arrived before its handler/);
    expect(late.messaging.stats.refused).toBe(1);

    let served = 0;
    late.messaging.setHandler(() => served++);
    expect(served).toBe(1000); // the kept ones, at once
  });

  it('answers 503 at once to what arrives after the handler was removed (the instance is stopping)', async () => {
    const leaving = await node('leaving-svc');
    leaving.messaging.setHandler(() => undefined);
    leaving.messaging.setHandler(undefined);
    const client = await node('client-svc');
    const started = Date.now();
    const error = await client.messaging
      .request({ to: 'leaving-svc:/', bdy: {} }, { timeoutMs: 3000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toMatch(/leaving-svc \(\w+\) is stopping; no handler ran/);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(leaving.messaging.stats.refused).toBeGreaterThanOrEqual(1);
  });
});

/** A raw subscriber on one instance channel that only the test listens on; it keeps every text it gets. */
async function rawListener(service: string, instanceId: string): Promise<{ texts: string[]; close(): void }> {
  const texts: string[] = [];
  const listener = await topology.listen(keys.instanceChannel(service, instanceId), (text) =>
    texts.push(text),
  );
  return { texts, close: () => listener.close() };
}

describe('Messenger replies', () => {
  it('sends with reply() the very text sendReplyMessage() sends, inherited fields and wire order included', async () => {
    const twin = await node('twin-svc');
    twin.messaging.setHandler((m) => {
      void twin.messaging.reply(m, { ok: 1 }, 'answer');
      void twin.messaging.sendReplyMessage(m, { bdy: { ok: 1 }, typ: 'answer' });
    });
    const sender = await node('client-svc');
    // The request names a `via` instance that nobody but this raw subscriber listens for.
    const { texts, close } = await rawListener('probe-svc', 'probe1');
    try {
      await sender.messaging.sendMessage({
        to: 'twin-svc:[post]/v1/twin',
        frm: 'client-svc:/',
        via: 'probe1@probe-svc:/',
        hdr: { trace: 't-1' },
        tmo: 30,
        fwd: 'elsewhere-svc:/',
        aut: 'token',
        sig: 'sig-1',
        typ: 'question',
        bdy: { q: 1 },
      });
      await eventually(() => expect(texts).toHaveLength(2));
    } finally {
      close();
    }
    const [fast, reference] = texts.map((text) => text.replace(/"(mid|ts)":"[^"]*"/g, '"$1":"-"'));
    expect(fast).toBe(reference);
    expect(JSON.parse(texts[0]!)).toMatchObject({
      to: 'probe1@probe-svc:/',
      frm: 'twin-svc:[post]/v1/twin',
      hdr: { trace: 't-1' },
      typ: 'answer',
      via: 'probe1@probe-svc:/',
      fwd: 'elsewhere-svc:/',
      aut: 'token',
      bdy: { ok: 1 },
    });
  });
});

describe('Messenger requests on the wire', () => {
  it('sends a request in wire key order with the reply address in place, also when the caller gave no sender', async () => {
    const client = await node('client-svc');
    const { texts, close } = await rawListener('order-svc', 'inst1');
    try {
      const asks = [
        { to: 'inst1@order-svc:/', typ: 'ask', bdy: { n: 1 } },
        { to: 'inst1@order-svc:/', frm: 'client-svc:[get]/v1/x', bdy: { n: 2 }, hdr: { h: 1 } },
      ];
      for (const ask of asks) {
        await client.messaging.request(ask, { timeoutMs: 200 }).catch((error: Error) => error);
      }
      await eventually(() => texts.length === 2);
    } finally {
      close();
    }
    const [first, second] = texts.map((text) => JSON.parse(text) as Record<string, unknown>);
    expect(Object.keys(first!)).toEqual(['to', 'frm', 'mid', 'tmo', 'ts', 'typ', 'ver', 'bdy']);
    expect(first!.frm).toBe(`${client.instanceId}@client-svc:/`);
    // The time left, in seconds: at most the 200 ms given, and not much less when sent at once.
    expect(first!.tmo).toBeGreaterThan(0.1);
    expect(first!.tmo).toBeLessThanOrEqual(0.2);
    expect(Object.keys(second!)).toEqual(['to', 'frm', 'hdr', 'mid', 'tmo', 'ts', 'ver', 'bdy']);
    expect(second!.frm).toBe(`${client.instanceId}@client-svc:[get]/v1/x`);
  });
});
