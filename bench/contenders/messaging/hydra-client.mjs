// A Hydra 1.9.3 client: a registered instance (so that the reply can find it) that sends with
// sendMessage, `frm` = `<instanceId>@<service>:/`, and correlates replies on `rmid` itself (Hydra has no
// request-reply API). Note Hydra's 3 s presence cache: discovery is a SCAN every 3 s, not per message.
import { createRequire } from 'node:module';
import { sleep } from '../../lib/common.mjs';
import { HYDRA_DB, HYDRA_SERVICE } from './hydra-server.mjs';

const require = createRequire(import.meta.url);
const CLIENT_SERVICE = 'hydra-bench-client';
const TO = `${HYDRA_SERVICE}:/`;
let hydra;
let frm;
const pending = new Map();

export async function connect({ redisUrl }) {
  hydra = require('hydra');
  await hydra.init({
    hydra: {
      serviceName: CLIENT_SERVICE,
      serviceIP: '127.0.0.1',
      servicePort: 0,
      serviceType: 'bench',
      serviceDescription: 'benchmark client',
      redis: { url: `${redisUrl}/${HYDRA_DB}` },
    },
  });
  await hydra.registerService();
  frm = `${hydra.getInstanceID()}@${CLIENT_SERVICE}:/`;
  hydra.on('message', (message) => {
    const resolve = pending.get(message.rmid);
    if (resolve) {
      pending.delete(message.rmid);
      resolve(message.bdy);
    }
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const instances = await hydra.getServicePresence(HYDRA_SERVICE).catch(() => []);
    if (instances.length > 0) return;
    await sleep(100);
  }
  throw new Error(`${HYDRA_SERVICE} never became present`);
}

export function request(body) {
  const message = hydra.createUMFMessage({ to: TO, frm, typ: 'echo', bdy: body });
  const mid = message.mid;
  return new Promise((resolve, reject) => {
    pending.set(mid, resolve);
    hydra.sendMessage(message).then((failure) => {
      if (failure) {
        pending.delete(mid);
        reject(new Error(failure.result?.reason ?? 'sendMessage failed'));
      }
    }, reject);
  });
}

export function emit(body) {
  return hydra.sendMessage(hydra.createUMFMessage({ to: TO, frm, typ: 'evt', bdy: body })).then((failure) => {
    if (failure) throw new Error(failure.result?.reason ?? 'sendMessage failed');
  });
}

export async function close() {
  await hydra?.shutdown();
}
