// BullMQ 6: one Worker on the bench queue with the given concurrency; the processor only reports the
// job's start. Created with autorun: false, so that the drain starts when the orchestrator says.
import { Worker } from 'bullmq';

export const QUEUE = 'bench-q';
let worker;

export function connection(redisUrl) {
  const { hostname, port } = new URL(redisUrl);
  return { host: hostname, port: Number(port), maxRetriesPerRequest: null };
}

export async function setup({ redisUrl, concurrency, onJob }) {
  worker = new Worker(
    QUEUE,
    async (job) => {
      onJob(job.data);
    },
    { connection: connection(redisUrl), concurrency, autorun: false },
  );
  worker.on('error', () => undefined);
  await worker.waitUntilReady();
  return { concurrency };
}

export function start() {
  worker.run().catch((error) => process.stderr.write(`bullmq worker: ${error.message}\n`));
}

export async function stop() {
  await worker?.close();
}
