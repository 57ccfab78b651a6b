import { Hydra } from '@hydra-nest/core';
import { attachWebSocketGateway } from '@hydra-nest/router';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import { TestClient, listeningServer, startRouterInstance } from './ws-test-client.js';

// Issue #18: the WebSocket gateway's limits and its upgrade handling, each on a server of its own.
const redis = useRedis();
let router: Hydra;

beforeAll(async () => {
  router = await startRouterInstance(redis.urlFor(15));
});

afterAll(async () => {
  await router?.stop();
});

async function withGateway(
  options: Parameters<typeof attachWebSocketGateway>[2],
  test: (url: string, gateway: ReturnType<typeof attachWebSocketGateway>) => Promise<void>,
): Promise<void> {
  const http = await listeningServer();
  const gateway = attachWebSocketGateway(http.server, router, options);
  try {
    await test(http.url, gateway);
  } finally {
    await gateway.close();
    await http.stop();
  }
}

describe('WebSocket gateway limits', () => {
  it('takes upgrades only on its path when one is set, and refuses others with 404', async () => {
    await withGateway({ path: '/ws' }, async (url) => {
      const client = await TestClient.connect(`${url}/ws?client=1`);
      expect(client.id).toMatch(/^[0-9a-f]{16}$/);
      await client.close();
      await expect(TestClient.connect(`${url}/elsewhere`)).rejects.toThrow(/404/);
    });
  });

  it('refuses an upgrade beyond maxSockets with 503, and takes one again once a socket left', async () => {
    await withGateway({ maxSockets: 2 }, async (url, gateway) => {
      const first = await TestClient.connect(url);
      const second = await TestClient.connect(url);
      await expect(TestClient.connect(url)).rejects.toThrow(/503/);
      await first.close();
      await eventually(() => gateway.stats().sockets === 1);
      const third = await TestClient.connect(url);
      await Promise.all([second.close(), third.close()]);
    });
  });

  it('drops a client that stopped answering pings, and forgets it', async () => {
    await withGateway({ heartbeatMs: 1000 }, async (url, gateway) => {
      const mute = await TestClient.connect(url, { autoPong: false });
      const healthy = await TestClient.connect(url);
      expect(await mute.whenClosed()).toBe(1006); // terminated: no close frame
      await eventually(() => gateway.stats().sockets === 1);
      expect(healthy.closeCode).toBeUndefined();
      await healthy.close();
    });
  });

  it('refuses options that make no sense, naming the option', () => {
    expect(() => attachWebSocketGateway(undefined as never, router, { maxInFlightPerSocket: 0 })).toThrow(
      /maxInFlightPerSocket must be a positive number, got 0/,
    );
  });
});
