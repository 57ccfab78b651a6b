import { Redis } from 'ioredis';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect, type TLSSocket } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { RedisProcess, useRedis } from './redis.js';

describe('test harness', () => {
  const redis = useRedis({ persistence: true });

  it('starts a private redis-server on a free loopback port, never 6379', async () => {
    expect(redis.port).toBeGreaterThan(0);
    expect(redis.port).not.toBe(6379);
    const client = new Redis(redis.url, { lazyConnect: true });
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
  });

  it('restarts the server on the same port and keeps data when persistence is on', async () => {
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: null });
    client.on('error', () => undefined); // refused while the server is down: expected, it reconnects
    await client.connect();
    await client.set('harness:kept', 'yes');
    await new Promise((r) => setTimeout(r, 1100)); // appendfsync everysec
    const port = redis.port;
    await redis.restart({ downMs: 100 });
    expect(redis.port).toBe(port);
    expect(await client.get('harness:kept')).toBe('yes');
    client.disconnect();
  });
});

describe('test harness with tls: true', () => {
  const redis = useRedis({ tls: true });

  it('serves TLS on a second port with a certificate its own CA signed, and keeps the plain port', async () => {
    expect(redis.tlsPort).toBeGreaterThan(0);
    expect([redis.port, 6379]).not.toContain(redis.tlsPort);
    expect(redis.tlsUrl).toBe(`rediss://127.0.0.1:${redis.tlsPort}`);
    expect(redis.caCert).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(readFileSync(redis.caCertPath, 'utf8')).toBe(redis.caCert);
    const plain = new Redis(redis.url, { lazyConnect: true });
    const tls = new Redis(redis.tlsUrl, { lazyConnect: true, tls: { ca: redis.caCert } });
    try {
      await Promise.all([plain.connect(), tls.connect()]);
      expect(await plain.ping()).toBe('PONG');
      expect(await tls.ping()).toBe('PONG');
      expect((tls.stream as TLSSocket).authorized).toBe(true);
    } finally {
      plain.disconnect();
      tls.disconnect();
    }
  });

  it('has the server certificate name both 127.0.0.1 and localhost', async () => {
    for (const servername of ['127.0.0.1', 'localhost']) {
      const socket = connect({ host: '127.0.0.1', port: redis.tlsPort, ca: redis.caCert, servername });
      try {
        await once(socket, 'secureConnect');
        expect(socket.authorized).toBe(true);
        expect(socket.getPeerCertificate().subjectaltname).toBe('IP Address:127.0.0.1, DNS:localhost');
      } finally {
        socket.destroy();
      }
    }
  });

  it('explains that RedisProcess needs tls: true before a TLS address is asked for', () => {
    expect(() => new RedisProcess().tlsUrl).toThrow(/tls: true/);
  });
});
