// BullMQ 6 producer: Queue.add per job (removeOnComplete, as Hydra's LREM also leaves nothing behind).
import { Queue } from 'bullmq';
import { connection, QUEUE } from './bullmq-worker.mjs';

let queue;
const JOB_OPTIONS = { removeOnComplete: true };

export async function setup({ redisUrl }) {
  queue = new Queue(QUEUE, { connection: connection(redisUrl) });
  await queue.waitUntilReady();
}

export function enqueue(body) {
  return queue.add('job', body, JOB_OPTIONS);
}

export async function close() {
  await queue?.close();
}
