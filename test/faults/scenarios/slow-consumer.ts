// A service instance stops reading (SIGSTOP) while its channel is flooded, until Redis drops its
// subscriber connection for passing the pub/sub output-buffer limit (set low here with CONFIG SET).
// Once it runs again (SIGCONT) it must notice the loss, subscribe again, answer again, and say so in
// its log and in its health snapshot.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { RedisProcess } from '../../../scripts/lib/redis-process.mjs';
import {
  echoRequests,
  loadText,
  msUntil,
  ScenarioRig,
  seconds,
  SERVICE,
  type FaultScenario,
} from '../lib/scenario.js';
import { sleep } from '../lib/tracked-calls.js';

const SIZES = {
  small: { concurrency: 8, ratePerSecond: 100, durationMs: 6000, faultAtMs: 1500 },
  full: { concurrency: 32, ratePerSecond: 400, durationMs: 15_000, faultAtMs: 5000 },
};
const TIMEOUT_MS = 5000;
/** How long the instance reads nothing before the flood: requests pile up (well within the presence TTL). */
const STALL_MS = 1000;
/** Redis drops a subscriber with more than this much waiting for it (or 128 KB for a second). */
const PUBSUB_LIMIT = 'pubsub 256kb 128kb 1';
const FLOOD_MESSAGE_BYTES = 16 * 1024;
const FLOOD_BATCH = 64;
/** Beyond this much flooding without a drop, the scenario gives up (the limit did not apply). */
const FLOOD_CAP_BYTES = 128 * 1024 * 1024;

export const scenario: FaultScenario = {
  name: 'slow-consumer',
  title: 'Slow consumer dropped by Redis',
  async run(size) {
    const s = SIZES[size];
    // Redis's log says why it closed a client (its INFO counter of such drops is 7.2+ only).
    const logDir = mkdtempSync(path.join(os.tmpdir(), 'hydra-nest-faults-'));
    const logFile = path.join(logDir, 'redis.log');
    const redis = await new RedisProcess({ extraArgs: ['--logfile', logFile] }).start();
    const admin = new Redis(redis.urlFor(15));
    const rig = new ScenarioRig({ url: redis.urlFor(15) });
    try {
      await admin.config('SET', 'client-output-buffer-limit', PUBSUB_LIMIT);
      const [victim] = await rig.startServices(1);
      const channel = `hydra:service:mc:${SERVICE}:${victim!.instanceId}`;
      const client = await rig.startClient(1);
      const load = echoRequests(client, { ...s, timeoutMs: TIMEOUT_MS });
      const running = load.run();
      await sleep(s.faultAtMs);
      const startedAt = Date.now();
      victim!.pause();
      await sleep(STALL_MS);
      const floodBytes = await floodUntilDropped(admin, channel);
      const droppedAfterMs = Date.now() - startedAt;
      victim!.resume();
      const clearedAt = Date.now();
      const resubscribedMs = await msUntil(
        clearedAt,
        () => victim!.logs.some((line) => line.includes('subscribed again')),
        15_000,
      );
      const summary = await running;
      const answersAgain = await client.messaging
        .request({ to: `${victim!.instanceId}@${SERVICE}:/`, bdy: { n: -1 } }, { timeoutMs: TIMEOUT_MS })
        .then((reply) => (reply.bdy as { echo?: { n?: number } }).echo?.n === -1)
        .catch(() => false);
      const health = JSON.parse(
        (await admin.get(`hydra:service:${SERVICE}:${victim!.instanceId}:health`)) ?? '{}',
      ) as { connections?: { subscriber?: { state: string; losses: number; lastLossReason: string } } };
      const subscriber = health.connections?.subscriber;
      const drops = bufferLimitDrops(logFile);
      return {
        name: this.name,
        title: this.title,
        setup:
          `the only echo service process SIGSTOPped for ${STALL_MS / 1000} s, then its channel flooded until Redis dropped it ` +
          `(client-output-buffer-limit ${PUBSUB_LIMIT}), then SIGCONT; ${loadText(s, TIMEOUT_MS)}`,
        unit: 'requests',
        ...summary,
        recoveryMs: load.recoveryMs({ startedAt, clearedAt }),
        recoveredFrom: 'SIGCONT',
        notes: [
          `dropped after ${(floodBytes / 1024 / 1024).toFixed(1)} MB of flood, ${seconds(droppedAfterMs)} after SIGSTOP`,
          `it logged the loss and subscribed again ${seconds(resubscribedMs)} after SIGCONT`,
          `health: connections.subscriber ${subscriber ? `${subscriber.state}, ${subscriber.losses} loss` : 'missing'}`,
        ],
        facts: {
          drops,
          floodBytes,
          resubscribedMs,
          answersAgain,
          subscriber,
          logs: victim!.logs.filter((line) => /subscriber|subscribed/.test(line)),
        },
      };
    } finally {
      admin.disconnect();
      await rig.close();
      await redis.stop();
      rmSync(logDir, { recursive: true, force: true });
    }
  },
};

/** How many clients Redis closed for passing their output-buffer limit, from its log. */
function bufferLimitDrops(logFile: string): number {
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((line) => line.includes('overcoming of output buffer limits')).length;
}

/**
 * Publishes replies nobody waits for (16 KB each) on `channel` until nobody subscribes to it any more;
 * resolves the bytes published.
 */
async function floodUntilDropped(admin: Redis, channel: string): Promise<number> {
  const reply = JSON.stringify({
    to: `${SERVICE}:/`,
    frm: 'flood:/',
    mid: randomUUID(),
    rmid: randomUUID(),
    ts: new Date().toISOString(),
    ver: 'UMF/1.4.6',
    bdy: { filler: 'x'.repeat(FLOOD_MESSAGE_BYTES) },
  });
  let bytes = 0;
  while (bytes < FLOOD_CAP_BYTES) {
    const batch = admin.pipeline();
    for (let i = 0; i < FLOOD_BATCH; i++) batch.publish(channel, reply);
    await batch.exec();
    bytes += FLOOD_BATCH * reply.length;
    const [, subscribers] = (await admin.pubsub('NUMSUB', channel)) as [string, number];
    if (subscribers === 0) return bytes;
  }
  throw new Error(`Redis did not drop the subscriber of ${channel} after ${bytes} bytes`);
}
