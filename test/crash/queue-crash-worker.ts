// A worker process of the queue crash test (./queue-crash.test.ts), run as
//   node --conditions=source --import ./test/crash/register-ts.mjs test/crash/queue-crash-worker.ts \
//        <redisOptionsJson> <service> <processedKey> <workMs>
// It consumes <service>'s queue with a core QueueConsumer and, for each delivery, "works" for about
// <workMs> ms, then records the message's mid in the hash <processedKey> (HINCRBY, so a message
// delivered twice counts 2) before returning, i.e. before the message is marked completed: a kill
// between the two shows up as a duplicate, never as a loss. It prints "ready" once consuming and
// stops gracefully on SIGTERM. The test kills it with SIGKILL and restarts Redis under it. The Redis
// options are a Hydra instance's `redis` option (a URL, or a cluster's nodes), and the connection is the
// one a Hydra instance makes from them.
import { Redis } from 'ioredis';
import { createClusterClients } from '../../packages/core/src/cluster-connection.js';
import { resolveRedisOptions, type RedisConnectionOptions } from '../../packages/core/src/connection.js';
import type { HydraContext } from '../../packages/core/src/context.js';
import { resolveIdentity } from '../../packages/core/src/identity.js';
import { Keyspace } from '../../packages/core/src/keyspace.js';
import { QueueConsumer } from '../../packages/core/src/queue/queue-consumer.js';
import type { RedisClient } from '../../packages/core/src/redis-client.js';

const [optionsJson, service, processedKey, workMsText] = process.argv.slice(2);
const options = JSON.parse(optionsJson!) as RedisConnectionOptions;
const workMs = Number(workMsText);

const redis = connection(options);
redis.on('error', () => undefined); // ioredis reconnects by itself; the consumer logs the outage
await redis.connect();

const log = (level: string) => (message: string) =>
  process.stderr.write(`[worker ${process.pid}] ${level} ${message}\n`);
const ctx: HydraContext = {
  redis,
  keys: new Keyspace({ clusterHashTags: options.cluster !== undefined }),
  identity: resolveIdentity({ serviceName: service, serviceIP: '127.0.0.1', servicePort: 1 }),
  logger: { log: log('log'), warn: log('warn'), error: log('error') },
};

const consumer = new QueueConsumer(
  ctx,
  {
    concurrency: 8,
    leaseMs: 1000,
    reclaimIntervalMs: 250,
    // Recording fails while Redis restarts: retry quickly, never give up.
    maxAttempts: 1000,
    backoff: { delayMs: 50, maxDelayMs: 500 },
    promoteIntervalMs: 100,
  },
  async (job) => {
    await new Promise((resolve) => setTimeout(resolve, workMs * (0.5 + Math.random())));
    if (job.attempt > 1) await redis.incr(`${processedKey}:redelivered`);
    await redis.hincrby(processedKey, job.mid, 1);
  },
);
await consumer.start();
process.stdout.write('ready\n');

process.once('SIGTERM', () => {
  void consumer.stop(2000).then(() => {
    redis.disconnect();
    process.exit(0);
  });
});

function connection(options: RedisConnectionOptions): RedisClient {
  if (!options.cluster) return new Redis(resolveRedisOptions(options).options);
  return createClusterClients(options.cluster, options).command;
}
