import { Redis } from 'ioredis';
import { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import type { RedisConnectionOptions } from '../src/connection.js';
import { RedisUnavailableError } from '../src/errors.js';
import { Hydra } from '../src/hydra.js';
import { silentLogger } from '../src/logger.js';
import { uniqueService } from './registry-support.js';

// Hydra instances talk to the server's TLS port; its plain port is only for the tests' own observer,
// which sees every connection (CLIENT LIST) and every key whichever port wrote it.
const server = useRedis({ tls: true });
const started: Hydra[] = [];
const observers: Redis[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((h) => h.stop()));
  for (const observer of observers.splice(0)) observer.disconnect();
});

function trustingUrl(): RedisConnectionOptions {
  return { url: `${server.tlsUrl}/15`, tls: { ca: server.caCert } };
}

function newHydra(serviceName: string, redis: RedisConnectionOptions): Hydra {
  const hydra = new Hydra({ serviceName, serviceIP: '127.0.0.1', logger: silentLogger, redis });
  started.push(hydra);
  return hydra;
}

async function startHydra(serviceName: string, redis: RedisConnectionOptions): Promise<Hydra> {
  const hydra = newHydra(serviceName, redis);
  await hydra.start();
  return hydra;
}

/** A plain-port client on db 15, closed after the test. */
function plainObserver(): Redis {
  const observer = new Redis(server.urlFor(15));
  observers.push(observer);
  return observer;
}

/** The `laddr` port and `db` the server reports (CLIENT LIST) for the connection of `client`. */
async function serverSideOf(client: Redis, observer: Redis): Promise<{ port: number; db: number }> {
  const list = (await observer.client('LIST')) as string;
  const clientPort = client.stream.localPort;
  const line = list.split('\n').find((l) => l.includes(` addr=127.0.0.1:${clientPort} `));
  expect(line, `CLIENT LIST has no connection from port ${clientPort}:\n${list}`).toBeDefined();
  return {
    port: Number(/ laddr=127\.0\.0\.1:(\d+) /.exec(line!)?.[1]),
    db: Number(/ db=(\d+) /.exec(line!)?.[1]),
  };
}

/** Asserts that both connections of `hydra` are verified TLS sessions on the server's TLS port. */
async function expectBothConnectionsOverTls(hydra: Hydra, observer: Redis): Promise<void> {
  for (const client of [hydra.redis, hydra.subscriber]) {
    expect(client.stream).toBeInstanceOf(TLSSocket);
    expect((client.stream as TLSSocket).authorized).toBe(true);
    expect(await serverSideOf(client, observer)).toEqual({ port: server.tlsPort, db: 15 });
  }
}

async function startFailure(redis: RedisConnectionOptions): Promise<{ error: Error; ms: number }> {
  const hydra = newHydra(uniqueService('tls-fail'), redis);
  const begun = Date.now();
  const error = await hydra.start().then(
    () => new Error('start() resolved, expected it to fail'),
    (e: Error) => e,
  );
  expect(hydra.state).toBe('stopped');
  return { error, ms: Date.now() - begun };
}

describe('Hydra over TLS (rediss://)', () => {
  it('registers, is discovered and answers a request with commands and pub/sub both over TLS', async () => {
    const echoName = uniqueService('tls-echo');
    const echo = await startHydra(echoName, trustingUrl());
    echo.messaging.setHandler((message) => {
      void echo.messaging.sendReplyMessage(message, { bdy: { echo: message.bdy } });
    });
    const client = await startHydra(uniqueService('tls-client'), trustingUrl());

    const instances = await client.discovery.instances(echoName);
    expect(instances.map((i) => i.instanceID)).toEqual([echo.instanceId]);
    const reply = await client.messaging.request({ to: `${echoName}:[post]/v1/echo`, bdy: { n: 1 } });
    expect(reply.bdy).toEqual({ echo: { n: 1 } });

    const observer = plainObserver();
    await expectBothConnectionsOverTls(echo, observer);
    await expectBothConnectionsOverTls(client, observer);
  });

  it('connects with discrete host, port, db and tls fields too', async () => {
    const name = uniqueService('tls-fields');
    const hydra = await startHydra(name, {
      host: '127.0.0.1',
      port: server.tlsPort,
      tls: { ca: server.caCert },
      db: 15,
    });
    const observer = plainObserver();
    expect(await observer.get(`hydra:service:${name}:${hydra.instanceId}:presence`)).toBe(hydra.instanceId);
    await expectBothConnectionsOverTls(hydra, observer);
  });

  it('fails at start, naming the address and the CA to give, when the server certificate is not trusted', async () => {
    const { error } = await startFailure({ url: `${server.tlsUrl}/15`, startupAttempts: 1 });
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toContain(`Cannot reach Redis at rediss://127.0.0.1:${server.tlsPort}/15`);
    expect(error.message).toMatch(/self.signed certificate/);
    expect(error.message).toContain('TLS certificate was not trusted');
    expect(error.message).toContain('redis.tls.ca');
    expect((error.cause as { code?: string }).code).toBe('SELF_SIGNED_CERT_IN_CHAIN');
  });

  it('fails at start, naming servername, when the certificate does not name the host asked for', async () => {
    const { error } = await startFailure({
      ...trustingUrl(),
      tls: { ca: server.caCert, servername: 'redis.example.com' },
      startupAttempts: 1,
    });
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toContain('redis.example.com');
    expect(error.message).toContain('redis.tls.servername');
  });

  it('fails fast, suggesting rediss://, when a plain redis:// url points at the TLS port', async () => {
    const { error, ms } = await startFailure({
      url: `redis://127.0.0.1:${server.tlsPort}/15`,
      startupAttempts: 1,
      connectTimeoutMs: 500,
    });
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect(error.message).toContain(`Cannot reach Redis at redis://127.0.0.1:${server.tlsPort}/15`);
    expect(error.message).toContain('use a rediss:// url');
    expect(ms).toBeLessThan(2000);
  });
});
