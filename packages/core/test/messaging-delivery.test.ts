import { describe, expect, it } from 'vitest';
import { UmfValidationError, type UmfMessage } from '@hydra-nest/umf';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually } from '../../../test/harness/wait.js';
import type { Hydra } from '../src/hydra.js';
import { useHydraNodes } from './hydra-nodes.js';
import { MessagingConnectionError, ServiceUnavailableError } from '../src/messaging/index.js';

const topology = useTopology();
const { keys } = topology;
const { create, node } = useHydraNodes(topology);

/** An instance that answers every request with its own instance id (dropping replies to a requester gone). */
async function answering(serviceName: string): Promise<Hydra> {
  const hydra = await node(serviceName);
  hydra.messaging.setHandler((m) => {
    hydra.messaging.reply(m, { by: hydra.instanceId }).catch(() => undefined);
  });
  return hydra;
}

describe('Messenger delivery', () => {
  // These three rest on PUBLISH's count of receivers; on a cluster, SPUBLISH's count from the master that
  // owns the channel's slot, where every instance's subscriber connects.
  it('sends a request to another instance at once when nobody listens on the chosen one’s channel', async () => {
    const deaf = await answering('deaf-svc');
    const healthy = await answering('deaf-svc');
    const client = await node('client-svc');
    await client.instances.watch('deaf-svc');
    await eventually(() => client.instances.peek('deaf-svc')!.length === 2);
    deaf.subscriber.disconnect(); // still present in the registry, but hears nothing
    const channel = keys.instanceChannel('deaf-svc', deaf.instanceId);
    await eventually(async () => (await topology.subscribers(channel)) === 0);
    while (client.instances.pick('deaf-svc')!.instanceID !== healthy.instanceId);
    const startedAt = Date.now();
    const reply = await client.messaging.request({ to: 'deaf-svc:/', bdy: {} }, { timeoutMs: 3000 });
    expect(reply.bdy).toEqual({ by: healthy.instanceId });
    expect(Date.now() - startedAt).toBeLessThan(500);
    expect(client.messaging.stats.retries).toBe(1);
  });

  it('rejects a message to a named instance that is gone, naming the instance', async () => {
    const client = await node('client-svc');
    const error = await client.messaging
      .sendMessage({ to: 'abc123@gone-svc:/', bdy: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toBe('Unavailable gone-svc instance named abc123');
  });

  it('rejects a broadcast to a service nobody runs', async () => {
    const client = await node('client-svc');
    await expect(client.messaging.sendBroadcastMessage({ to: 'nobody-svc:/', bdy: {} })).rejects.toThrow(
      'Unavailable nobody-svc instances',
    );
  });

  it('spreads requests over every instance with random load balancing', async () => {
    const servers = await Promise.all([0, 1, 2].map(() => answering('rand-svc')));
    const client = await node('client-svc', { messaging: { loadBalancing: 'random' } });
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      const reply = await client.messaging.request({ to: 'rand-svc:/', bdy: { i } });
      seen.add((reply.bdy as { by: string }).by);
    }
    expect([...seen].sort()).toEqual(servers.map((s) => s.instanceId).sort());
  });

  it('hands a reply that matches no request to the handler, and counts it', async () => {
    const target = await node('late-svc');
    const seen: UmfMessage[] = [];
    target.messaging.setHandler((m) => seen.push(m));
    await topology.publish(
      keys.instanceChannel('late-svc', target.instanceId),
      JSON.stringify({ to: 'late-svc:/', frm: 'x-svc:/', mid: 'm2', rmid: 'm1', bdy: { late: true } }),
    );
    await eventually(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ rmid: 'm1', bdy: { late: true } });
    expect(target.messaging.stats.unmatchedReplies).toBe(1);
  });

  it('rejects an invalid request before sending, naming the field', async () => {
    const client = await node('client-svc');
    const error = await client.messaging.request({ to: 'x-svc:/', bdy: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UmfValidationError);
    expect((error as Error).message).toContain('bdy');
    expect(client.messaging.stats.sent).toBe(0);
  });

  it('explains that the instance must be started when a request is sent before start()', async () => {
    const client = create('early-svc');
    await client.instances.watch('x-svc').catch(() => undefined);
    const error = await client.messaging.request({ to: 'abc@x-svc:/', bdy: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessagingConnectionError);
    expect((error as Error).message).toMatch(/start the Hydra instance first/);
  });
});
