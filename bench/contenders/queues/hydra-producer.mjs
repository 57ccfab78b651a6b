// Hydra 1.9.3 producer: queueMessage (LPUSH onto the target service's mqrecieved list).
import { HYDRA_DB, initHydra, QUEUE_SERVICE } from './hydra-worker.mjs';

const TO = `${QUEUE_SERVICE}:/`;
const FROM = 'hydra-q-producer:/';
let hydra;

export async function setup({ redisUrl }) {
  hydra = await initHydra('hydra-q-producer', redisUrl);
  return { db: HYDRA_DB };
}

export async function enqueue(body) {
  const queued = await hydra.queueMessage(
    hydra.createUMFMessage({ to: TO, frm: FROM, typ: 'job', bdy: body }),
  );
  if (queued?.statusCode)
    throw new Error(queued.result?.reason ?? `queueMessage answered ${queued.statusCode}`);
}

export async function close() {
  await hydra?.shutdown();
}
