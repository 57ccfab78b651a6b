import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { useRedis } from './redis.js';

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
