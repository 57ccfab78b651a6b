import { afterEach, describe, expect, it } from 'vitest';
import { verifySignature, type UmfMessage } from '@hydra-nest/umf';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually } from '../../../test/harness/wait.js';
import { hydraSign } from '../../../test/interop/hydra-signing.js';
import type { Hydra } from '../src/hydra.js';
import { HydraTimeoutError, RemoteError } from '../src/messaging/index.js';
import { useHydraNodes } from './hydra-nodes.js';

// Issue #16: enforced signing with the current and previous secrets, as Hydra 1.x signs.
const topology = useTopology();
const { keys } = topology;
const nodes = useHydraNodes(topology);
const listeners: Array<{ close(): void }> = [];

afterEach(() => {
  for (const listener of listeners.splice(0)) listener.close();
});

function node(serviceName: string, secrets?: string[]): Promise<Hydra> {
  return nodes.node(serviceName, { messaging: secrets ? { signing: { secrets } } : {} });
}

function echo(hydra: Hydra): Hydra {
  hydra.messaging.setHandler((m) => {
    hydra.messaging.reply(m, { echo: m.bdy }).catch(() => undefined);
  });
  return hydra;
}

/** Keeps the texts published on `channels` (service or instance channels) until the test ends. */
async function listen(channels: string[], texts: unknown[], parse = false): Promise<void> {
  listeners.push(await topology.listen(channels, (text) => texts.push(parse ? JSON.parse(text) : text)));
}

describe('enforced signing', () => {
  it('signs every message sent (requests and replies) and serves signed peers', async () => {
    const service = echo(await node('signed-svc', ['s1']));
    const client = await node('client-svc', ['s1']);
    const texts: string[] = [];
    await listen(
      [
        keys.instanceChannel('signed-svc', service.instanceId),
        keys.instanceChannel('client-svc', client.instanceId),
      ],
      texts,
    );
    const reply = await client.messaging.request({ to: 'signed-svc:/', bdy: { n: 1 } });
    expect(reply.bdy).toEqual({ echo: { n: 1 } });
    await eventually(() => texts.length >= 2);
    for (const text of texts) {
      const message = JSON.parse(text) as UmfMessage;
      expect(message.sig).toMatch(/^[0-9a-f]{64}$/);
      expect(verifySignature(message, 's1')).toBe(true);
    }
    expect(service.messaging.stats.unauthenticated).toBe(0);
  });

  it('answers an unsigned or badly signed request with a 401 and counts it', async () => {
    const service = echo(await node('strict-svc', ['s1']));
    const unsigned = await node('plain-svc');
    const wrong = await node('wrong-svc', ['other']);
    for (const sender of [unsigned, wrong]) {
      // The wrong-secret sender cannot check the 401's signature, but the 401 still ends its request.
      const error = await sender.messaging
        .request({ to: 'strict-svc:/', bdy: {} }, { retries: 0 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteError);
      expect(error).toMatchObject({ statusCode: 401, remoteName: 'MessageSignatureError' });
    }
    const [first, second] = await Promise.all([
      unsigned.messaging.request({ to: 'strict-svc:/', bdy: {} }).catch((e: Error) => e.message),
      wrong.messaging.request({ to: 'strict-svc:/', bdy: {} }).catch((e: Error) => e.message),
    ]);
    expect(first).toMatch(/is not signed, and this service accepts only signed messages/);
    expect(second).toMatch(/matches none of this service's secrets/);
    expect(service.messaging.stats.unauthenticated).toBe(4);
  });

  it('drops, without answering, an unsigned event and an unsigned reply to a request in flight', async () => {
    const service = await node('quiet-svc');
    service.messaging.setHandler((m) => {
      if (m.rmid === undefined) service.messaging.reply(m, { unsigned: true }).catch(() => undefined);
    });
    const client = await node('client-svc', ['s1']);
    await expect(
      client.messaging.request({ to: 'quiet-svc:/', bdy: {} }, { timeoutMs: 400 }),
    ).rejects.toBeInstanceOf(HydraTimeoutError);
    expect(client.messaging.stats.unauthenticated).toBe(1);
    expect(client.messaging.stats.replies).toBe(0);

    const events: unknown[] = [];
    client.messaging.setHandler((m) => events.push(m.bdy));
    await service.messaging.sendMessage({ to: `${client.instanceId}@client-svc:/`, bdy: { event: 1 } });
    await eventually(() => client.messaging.stats.unauthenticated === 2);
    expect(events).toEqual([]);
  });

  it('rotates through a mixed fleet: [old, new] and [new, old] talk both ways; [older] is refused', async () => {
    // Phase 1 everywhere: sign with old, accept both; phase 2: sign with new, accept both; then drop old.
    echo(await node('phase2-svc', ['new', 'old']));
    echo(await node('phase1-svc', ['old', 'new']));
    const phase1 = await node('client-svc', ['old', 'new']);
    const phase2 = await node('client-svc', ['new', 'old']);
    for (const client of [phase1, phase2]) {
      for (const to of ['phase1-svc:/', 'phase2-svc:/']) {
        expect((await client.messaging.request({ to, bdy: { to } })).bdy).toEqual({ echo: { to } });
      }
      expect(client.messaging.stats.unauthenticated).toBe(0);
    }
    const stale = await node('stale-svc', ['older']);
    const startedAt = Date.now();
    await expect(
      stale.messaging.request({ to: 'phase2-svc:/', bdy: {} }, { retries: 0 }),
    ).rejects.toMatchObject({ statusCode: 401, remoteName: 'MessageSignatureError' });
    expect(Date.now() - startedAt).toBeLessThan(1000); // its 401, signed with a secret it lacks, still ends it
  });

  it('serves a request that the real hydra 1.9.3 package signed, and refuses it once tampered with', async () => {
    const service = echo(await node('legacy-peer-svc', ['shared']));
    const channel = keys.instanceChannel('legacy-peer-svc', service.instanceId);
    const replies: UmfMessage[] = [];
    await listen([keys.instanceChannel('legacy-svc', 'abc123')], replies, true);
    const input = { to: 'legacy-peer-svc:/', from: 'abc123@legacy-svc:/', body: { hydra: true } };
    const signed = hydraSign(input, 'shared');
    await topology.publish(channel, signed.short);
    await eventually(() => replies.length === 1);
    expect(replies[0]!.bdy).toEqual({ echo: { hydra: true } });
    expect(verifySignature(replies[0]!, 'shared')).toBe(true);

    const tampered = JSON.parse(signed.short) as UmfMessage;
    tampered.bdy = { hydra: 'changed' };
    await topology.publish(channel, JSON.stringify(tampered));
    await eventually(() => replies.length === 2);
    expect(replies[1]!.bdy).toMatchObject({ statusCode: 401 });
  });
});
