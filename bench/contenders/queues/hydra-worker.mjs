// Hydra 1.9.3's queue, lease-free: `concurrency` loops of getQueuedMessage (RPOPLPUSH mqrecieved ->
// mqinprogress) then markQueueMessage(message, true) (LREM from mqinprogress), via the real package.
// Hydra has no blocking dequeue: a loop that finds the queue empty sleeps POLL_MS before asking again.
import { createRequire } from 'node:module';
import { sleep } from '../../lib/common.mjs';

const require = createRequire(import.meta.url);
export const QUEUE_SERVICE = 'hydra-q-svc';
export const HYDRA_DB = 15;
export const POLL_MS = 5;
let hydra;
let running = false;
let loops = [];
let cfg;

export async function initHydra(serviceName, redisUrl) {
  const instance = require('hydra');
  await instance.init({
    hydra: {
      serviceName,
      serviceIP: '127.0.0.1',
      servicePort: 0,
      serviceDescription: 'queue benchmark',
      redis: { url: `${redisUrl}/${HYDRA_DB}` },
    },
  });
  return instance;
}

export async function setup(options) {
  cfg = options;
  hydra = await initHydra(QUEUE_SERVICE, options.redisUrl);
  return { concurrency: options.concurrency, pollMs: POLL_MS };
}

async function loop() {
  while (running) {
    const message = await hydra.getQueuedMessage(QUEUE_SERVICE);
    if (!message) {
      await sleep(POLL_MS);
      continue;
    }
    cfg.onJob(message.bdy);
    await hydra.markQueueMessage(message, true);
  }
}

export function start() {
  running = true;
  loops = [];
  for (let i = 0; i < cfg.concurrency; i++) {
    loops.push(loop().catch((error) => process.stderr.write(`hydra queue loop: ${error.message}\n`)));
  }
}

export async function stop() {
  running = false;
  await Promise.allSettled(loops);
  await hydra?.shutdown();
}
