import { afterEach, describe, expect, it } from 'vitest';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually } from '../../../test/harness/wait.js';
import { HydraConfigError } from '../src/errors.js';
import { Hydra } from '../src/hydra.js';
import { silentLogger } from '../src/logger.js';
import { DEFAULT_MAX_MESSAGE_BYTES, MessageTooLargeError } from '../src/messaging/index.js';

const topology = useTopology();
const started: Hydra[] = [];
const LIMIT = 4000;

afterEach(async () => {
  await Promise.all(started.splice(0).map((h) => h.stop()));
});

function hydraOf(serviceName: string, maxMessageBytes?: number): Hydra {
  return new Hydra({
    serviceName,
    serviceIP: '127.0.0.1',
    logger: silentLogger,
    redis: topology.redis,
    messaging: { maxMessageBytes, timeoutMs: 3000 },
  });
}

async function node(serviceName: string, maxMessageBytes?: number): Promise<Hydra> {
  const hydra = hydraOf(serviceName, maxMessageBytes);
  started.push(hydra);
  await hydra.start();
  return hydra;
}

/** A service with no size limit that echoes every request and counts what reached it. */
async function echoService(): Promise<{ hydra: Hydra; seen: () => number }> {
  const hydra = await node('big-echo-svc', Infinity);
  let seen = 0;
  hydra.messaging.setHandler((message) => {
    seen++;
    // A requester that gave up and stopped no longer listens: its reply is dropped.
    if (!message.rmid) hydra.messaging.sendReplyMessage(message, { bdy: message.bdy }).catch(() => undefined);
  });
  return { hydra, seen: () => seen };
}

describe('messaging.maxMessageBytes', () => {
  it('refuses an oversized request before publishing it, and the connection keeps working', async () => {
    const echo = await echoService();
    const client = await node('big-client-svc', LIMIT);
    const sentBefore = client.messaging.stats.sent;
    const error = await client.messaging
      .request({ to: 'big-echo-svc:/', bdy: { blob: 'x'.repeat(LIMIT) } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MessageTooLargeError);
    expect(error).toMatchObject({ statusCode: 413, limit: LIMIT, to: 'big-echo-svc:/' });
    expect((error as MessageTooLargeError).bytes).toBeGreaterThan(LIMIT);
    expect((error as Error).message).toMatch(/over the 4000-byte limit \(messaging.maxMessageBytes\)/);
    expect(client.messaging.stats.sent).toBe(sentBefore);
    expect(client.messaging.inFlight).toBe(0);

    const reply = await client.messaging.request({ to: 'big-echo-svc:/', bdy: { blob: 'small' } });
    expect(reply.bdy).toEqual({ blob: 'small' });
    expect(echo.seen()).toBe(1);
  });

  it('drops, unparsed, a received payload longer than the limit, and serves the next message', async () => {
    const small = await node('small-svc', LIMIT);
    let served = 0;
    small.messaging.setHandler((message) => {
      served++;
      void small.messaging.reply(message, { ok: true });
    });
    const sender = await node('big-sender-svc', Infinity);
    await sender.messaging.sendMessage({ to: 'small-svc:/', bdy: { blob: 'x'.repeat(LIMIT * 2) } });
    await eventually(() => small.messaging.stats.malformed === 1);
    expect(served).toBe(0);
    const reply = await sender.messaging.request({ to: 'small-svc:/', bdy: { n: 1 } });
    expect(reply.bdy).toEqual({ ok: true });
  });

  it('counts UTF-8 bytes, not characters', async () => {
    await echoService();
    const client = await node('big-client-svc', LIMIT);
    // 1,500 two-byte characters fit with the envelope; 2,000 (4,000 bytes) do not, at 2,000-odd characters.
    const fits = await client.messaging.request({ to: 'big-echo-svc:/', bdy: { s: 'é'.repeat(1500) } });
    expect((fits.bdy as { s: string }).s).toHaveLength(1500);
    await expect(
      client.messaging.request({ to: 'big-echo-svc:/', bdy: { s: 'é'.repeat(2000) } }),
    ).rejects.toBeInstanceOf(MessageTooLargeError);
  });

  it('refuses oversized one-way messages and broadcasts too', async () => {
    const echo = await echoService();
    const client = await node('big-client-svc', LIMIT);
    const blob = { blob: 'x'.repeat(LIMIT) };
    await expect(client.messaging.sendMessage({ to: 'big-echo-svc:/', bdy: blob })).rejects.toBeInstanceOf(
      MessageTooLargeError,
    );
    await expect(
      client.messaging.sendBroadcastMessage({ to: 'big-echo-svc:/', bdy: blob }),
    ).rejects.toBeInstanceOf(MessageTooLargeError);
    await client.messaging.sendBroadcastMessage({ to: 'big-echo-svc:/', bdy: { small: true } });
    await eventually(() => echo.seen() === 1);
  });

  it('defaults to 8 MiB and accepts Infinity for no limit', async () => {
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(8 * 1024 * 1024);
    await echoService();
    const limited = await node('big-client-svc');
    const unlimited = await node('big-client-svc', Infinity);
    const bdy = { blob: 'x'.repeat(DEFAULT_MAX_MESSAGE_BYTES) };
    await expect(limited.messaging.request({ to: 'big-echo-svc:/', bdy })).rejects.toBeInstanceOf(
      MessageTooLargeError,
    );
    // 8 MiB each way, parsed and serialized twice: seconds on a loaded 2-core machine.
    const reply = await unlimited.messaging.request({ to: 'big-echo-svc:/', bdy }, { timeoutMs: 15_000 });
    expect((reply.bdy as { blob: string }).blob).toHaveLength(DEFAULT_MAX_MESSAGE_BYTES);
  });

  it('rejects a limit that is not a positive number, naming the option', () => {
    for (const bad of [0, -1, Number.NaN]) {
      expect(() => hydraOf('big-client-svc', bad)).toThrow(HydraConfigError);
      expect(() => hydraOf('big-client-svc', bad)).toThrow(/messaging.maxMessageBytes is .*positive number/);
    }
  });
});
