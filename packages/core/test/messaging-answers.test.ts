import { describe, expect, it } from 'vitest';
import type { UmfMessage } from '@hydra-nest/umf';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually } from '../../../test/harness/wait.js';
import type { Hydra } from '../src/hydra.js';
import { ServiceUnavailableError } from '../src/messaging/index.js';
import { useHydraNodes } from './hydra-nodes.js';

// Issue #16: every request that reaches an instance is answered or retried elsewhere, replies are
// believed only from the service asked, and deadlines travel with the request.
const topology = useTopology();
const { keys } = topology;
const { node } = useHydraNodes(topology);

function answerWithId(hydra: Hydra): void {
  hydra.messaging.setHandler((m) => {
    hydra.messaging.reply(m, { by: hydra.instanceId }).catch(() => undefined);
  });
}

describe('an instance with no handler', () => {
  it('answers the requests it kept with a 503 once handlerWaitMs has passed, and later ones at once', async () => {
    await node('mute-svc', { messaging: { handlerWaitMs: 400 } });
    const client = await node('client-svc');
    const startedAt = Date.now();
    const kept = await client.messaging
      .request({ to: 'mute-svc:/', bdy: {} }, { timeoutMs: 5000, retries: 0 })
      .catch((e: unknown) => e);
    const waited = Date.now() - startedAt;
    expect(kept).toBeInstanceOf(ServiceUnavailableError);
    expect((kept as Error).message).toMatch(
      /mute-svc \(\w+\) serves no UMF messages: no handler was installed within 400 ms/,
    );
    expect(waited).toBeLessThan(2000); // bounded by handlerWaitMs, far from the 5 s deadline

    const laterAt = Date.now();
    await expect(
      client.messaging.request({ to: 'mute-svc:/', bdy: {} }, { timeoutMs: 5000, retries: 0 }),
    ).rejects.toBeInstanceOf(ServiceUnavailableError);
    expect(Date.now() - laterAt).toBeLessThan(300);
  });

  it('answers at once after declineMessages, and serves a handler installed later', async () => {
    const http = await node('http-only-svc');
    http.messaging.declineMessages('http-only-svc serves HTTP only');
    const client = await node('client-svc');
    const error = await client.messaging
      .request({ to: 'http-only-svc:/', bdy: {} }, { retries: 0 })
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/http-only-svc serves HTTP only; no handler ran/);
    expect(http.messaging.stats.refused).toBe(1);

    answerWithId(http);
    const reply = await client.messaging.request({ to: 'http-only-svc:/', bdy: {} });
    expect(reply.bdy).toEqual({ by: http.instanceId });
  });

  it('makes a hydra-nest sender try another instance, which serves the request', async () => {
    const mute = await node('mixed-svc');
    mute.messaging.declineMessages('not this one');
    const serving = await node('mixed-svc');
    answerWithId(serving);
    const client = await node('client-svc');
    await client.instances.watch('mixed-svc');
    await eventually(() => client.instances.peek('mixed-svc')!.length === 2);
    for (let i = 0; i < 6; i++) {
      const reply = await client.messaging.request({ to: 'mixed-svc:/', bdy: { i } });
      expect(reply.bdy).toEqual({ by: serving.instanceId });
    }
    expect(mute.messaging.stats.refused).toBeGreaterThanOrEqual(1);
    expect(client.messaging.stats.retries).toBe(mute.messaging.stats.refused);
  });
});

describe('a refusal from an instance the request has left', () => {
  it('changes nothing: the request goes on where it was sent next', async () => {
    // The first instance keeps the request (no handler yet) and refuses it only after the caller has sent
    // it on to the second one, because the first announced its departure meanwhile.
    const leaving = await node('turn-svc');
    const slow = await node('turn-svc');
    slow.messaging.setHandler((m) => {
      setTimeout(() => slow.messaging.reply(m, { by: slow.instanceId }).catch(() => undefined), 300);
    });
    const client = await node('client-svc');
    await client.instances.watch('turn-svc');
    await eventually(() => client.instances.peek('turn-svc')!.length === 2);
    while (client.instances.pick('turn-svc')!.instanceID !== slow.instanceId);
    const reply = client.messaging.request({ to: 'turn-svc:/', bdy: {} }, { timeoutMs: 3000 });
    await eventually(() => leaving.messaging.stats.received === 1);
    client.instances.applyAnnouncement({
      event: 'down',
      service: 'turn-svc',
      instanceId: leaving.instanceId,
    });
    await eventually(() => slow.messaging.stats.received === 1);
    leaving.messaging.declineMessages('turn-svc is stopping');
    expect((await reply).bdy).toEqual({ by: slow.instanceId });
    expect(leaving.messaging.stats.refused).toBe(1);
  });
});

describe('replies', () => {
  it('settle a request only when valid and from the service asked; forged ones change nothing', async () => {
    // The real answer leaves once the forged ones are published: on the same channel, so it arrives after them.
    let markSent: (published: Promise<unknown>) => void = () => undefined;
    const forgedSent = new Promise((resolve) => (markSent = resolve));
    const slow = await node('slow-svc');
    slow.messaging.setHandler((m) => {
      void forgedSent.then(() => slow.messaging.reply(m, { real: true }).catch(() => undefined));
    });
    const client = await node('client-svc');
    const channel = keys.instanceChannel('client-svc', client.instanceId);
    // Every request to the slow instance is seen here, and forged answers follow at once.
    const sniffer = await topology.listen(keys.instanceChannel('slow-svc', slow.instanceId), (text) => {
      const request = JSON.parse(text) as UmfMessage;
      const forged = (frm: string, extra: Record<string, unknown> = {}) =>
        JSON.stringify({
          to: request.frm,
          frm,
          mid: 'f0',
          rmid: request.mid,
          ts: '',
          ver: 'UMF/1.4.6',
          bdy: { real: false },
          ...extra,
        });
      markSent(
        Promise.all([
          topology.publish(channel, forged('evil-svc:/')), // another service
          topology.publish(channel, forged('slow-svc:/', { bdy: undefined, to: 42 })), // not valid UMF
          topology.publish(channel, '{"rmid":"' + request.mid + '"'), // not JSON
        ]),
      );
    });
    try {
      const reply = await client.messaging.request({ to: 'slow-svc:/', bdy: {} });
      expect(reply.bdy).toEqual({ real: true });
      expect(client.messaging.stats.unmatchedReplies).toBe(1);
      expect(client.messaging.stats.malformed).toBe(2);
    } finally {
      sniffer.close();
    }
  });
});

describe('deadlines on the wire', () => {
  it('a request carries its time left in tmo; a kept request whose deadline passed is not run', async () => {
    const late = await node('late-svc');
    const client = await node('client-svc');
    const early = client.messaging
      .request({ to: 'late-svc:/', bdy: { n: 1 } }, { timeoutMs: 300, retries: 0 })
      .catch((e: unknown) => e);
    await eventually(() => late.messaging.stats.received === 1);
    await new Promise((r) => setTimeout(r, 400));
    const seen: Array<[UmfMessage, number | undefined]> = [];
    late.messaging.setHandler((m, _b, _c, deadline) => {
      seen.push([m, deadline]);
      late.messaging.reply(m, { ok: true }).catch(() => undefined);
    });
    expect(seen).toHaveLength(0);
    expect(late.messaging.stats.expired).toBe(1);
    expect(((await early) as Error).name).toBe('HydraTimeoutError');

    const before = Date.now();
    await client.messaging.request({ to: 'late-svc:/', bdy: { n: 2 } }, { timeoutMs: 2000 });
    const [message, deadline] = seen[0]!;
    expect(message.tmo).toBeGreaterThan(1.9);
    expect(message.tmo).toBeLessThanOrEqual(2);
    expect(deadline! - before).toBeGreaterThan(1800);
    expect(deadline! - before).toBeLessThan(2300);
  });

  it('takes the deadline from the tmo of the input when no timeoutMs is given', async () => {
    const client = await node('client-svc');
    const texts: string[] = [];
    const listener = await topology.listen(keys.instanceChannel('tmo-svc', 'i1'), (text) => texts.push(text));
    try {
      const startedAt = Date.now();
      const error = await client.messaging
        .request({ to: 'i1@tmo-svc:/', bdy: {}, tmo: 0.3 })
        .catch((e: unknown) => e);
      expect((error as Error).name).toBe('HydraTimeoutError');
      expect(Date.now() - startedAt).toBeLessThan(1000);
      expect((JSON.parse(texts[0]!) as UmfMessage).tmo).toBeLessThanOrEqual(0.3);
    } finally {
      listener.close();
    }
  });
});
