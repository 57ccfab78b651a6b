// A service under test of the fault suite, run as its own process so that SIGKILL and SIGSTOP are real:
//   node --conditions=source --import ./test/crash/register-ts.mjs test/faults/lib/service-child.ts '<json>'
// with a ChildConfig as JSON. It answers every request with { echo: <its body> } after `workMs`, and,
// with `queue`, consumes its service's work queue: each job's id is counted in the hash
// `queue.processedKey` (HINCRBY, so a job done twice counts 2) before the job is completed.
// stdout: one JSON event a line ({ event: 'ready', instanceId } once serving, { event: 'done', id, at }
// per job); stderr: the Hydra log, one line each. SIGTERM stops it gracefully (hydra.stop()).
import { Hydra, QueueConsumer, type HydraLogger, type RedisConnectionOptions } from '@hydra-nest/core';

/** What the child is told to be. */
export interface ChildConfig {
  service: string;
  redis: RedisConnectionOptions;
  /** How long a request or job "works" before it is answered or completed, ms. */
  workMs: number;
  queue?: { processedKey: string; concurrency: number; leaseMs: number };
}

const config = JSON.parse(process.argv[2]!) as ChildConfig;
const emit = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const line = (level: string) => (message: string) => process.stderr.write(`${level} ${message}\n`);
const logger: HydraLogger = { log: line('log'), warn: line('warn'), error: line('error') };
const work = () => new Promise((resolve) => setTimeout(resolve, config.workMs));

const hydra = new Hydra({
  serviceName: config.service,
  serviceIP: '127.0.0.1',
  servicePort: 1,
  logger,
  redis: config.redis,
});
await hydra.start();
hydra.messaging.setHandler((message, broadcast) => {
  if (broadcast) return;
  // The requester may have given up (its deadline passed while this instance was stopped): no one to answer.
  void work().then(() => hydra.messaging.reply(message, { echo: message.bdy }).catch(() => undefined));
});

let consumer: QueueConsumer | undefined;
if (config.queue) {
  const { processedKey, concurrency, leaseMs } = config.queue;
  consumer = new QueueConsumer(
    hydra,
    {
      concurrency,
      leaseMs,
      reclaimIntervalMs: Math.max(100, leaseMs / 4),
      promoteIntervalMs: 100,
      // Counting fails while Redis is away: retry soon, never give up (a loss would go unseen otherwise).
      maxAttempts: 1000,
      maxDeliveries: 1000,
      backoff: { delayMs: 50, maxDelayMs: 500 },
    },
    async (job) => {
      await work();
      const { id } = job.payload as { id: string };
      await hydra.redis.hincrby(processedKey, id, 1);
      emit({ event: 'done', id, at: Date.now() });
    },
  );
  await consumer.start();
}
emit({ event: 'ready', instanceId: hydra.instanceId });

process.once('SIGTERM', () => {
  void (async () => {
    await consumer?.stop(2000);
    await hydra.stop();
    process.exit(0);
  })();
});
