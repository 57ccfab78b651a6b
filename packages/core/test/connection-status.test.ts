import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import { ConnectionStatuses } from '../src/connection-status.js';
import { Hydra } from '../src/hydra.js';
import type { HydraLogger } from '../src/logger.js';

const server = useRedis();
let admin: Redis;
beforeAll(() => {
  admin = new Redis(server.urlFor(15));
});
afterAll(() => admin.disconnect());

describe('ConnectionStatuses', () => {
  it('reports nothing until a connection is lost, then its state, losses and when', () => {
    const statuses = new ConnectionStatuses();
    expect(statuses.snapshot()).toBeUndefined();
    statuses.back('command'); // never lost: nothing to report
    expect(statuses.snapshot()).toBeUndefined();
    statuses.lost('subscriber', 'closed');
    expect(statuses.snapshot()).toEqual({
      subscriber: {
        state: 'reconnecting',
        losses: 1,
        lastLostAt: expect.any(String),
        lastLossReason: 'closed',
      },
    });
    statuses.back('subscriber');
    statuses.lost('subscriber', 'read ECONNRESET');
    statuses.back('subscriber');
    expect(statuses.snapshot()?.subscriber).toMatchObject({
      state: 'ready',
      losses: 2,
      lastLossReason: 'read ECONNRESET',
      lastBackAt: expect.any(String),
    });
  });
});

describe('a Hydra instance whose subscriber Redis closes', () => {
  it('logs the loss and the new subscription, and its health snapshot says so', async () => {
    const lines: string[] = [];
    const logger: HydraLogger = {
      log: (m) => lines.push(`log ${m}`),
      warn: (m) => lines.push(`warn ${m}`),
      error: (m) => lines.push(`error ${m}`),
    };
    const hydra = new Hydra({ serviceName: 'status-svc', logger, redis: { url: server.urlFor(15) } });
    await hydra.start();
    try {
      const healthKey = `hydra:service:status-svc:${hydra.instanceId}:health`;
      const health = async () => JSON.parse((await admin.get(healthKey)) ?? '{}');
      await hydra.health.publish();
      expect(await health()).not.toHaveProperty('connections'); // Hydra 1.x's fields only
      await admin.client('KILL', 'TYPE', 'pubsub'); // as Redis does to a subscriber over its buffer limit
      const snapshot = await eventually(
        async () => {
          const h = await health();
          return h.connections?.subscriber?.state === 'ready' ? h : undefined;
        },
        { timeoutMs: 5000, what: 'the health snapshot to show the subscriber back' },
      );
      expect(snapshot.connections).toEqual({
        subscriber: {
          state: 'ready',
          losses: 1,
          lastLostAt: expect.any(String),
          lastLossReason: expect.any(String),
          lastBackAt: expect.any(String),
        },
      });
      expect(lines).toContainEqual(
        expect.stringMatching(/^warn subscriber connection to Redis .* (closed|lost)/),
      );
      expect(lines).toContainEqual(
        expect.stringMatching(/^log status-svc \(\w+\) subscribed again \(.*mc:status-svc.*\)/),
      );
    } finally {
      await hydra.stop();
    }
  });
});
