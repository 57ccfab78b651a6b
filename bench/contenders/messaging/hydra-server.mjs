// Hydra 1.9.3 itself (the real npm package): a registered service that answers every UMF message on its
// channels with sendReplyMessage, and counts messages of type `evt` as one-way events.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const HYDRA_SERVICE = 'hydra-bench-svc';
export const HYDRA_DB = 15;
let hydra;

export async function start({ redisUrl, onEvent }) {
  hydra = require('hydra');
  await hydra.init({
    hydra: {
      serviceName: HYDRA_SERVICE,
      serviceIP: '127.0.0.1',
      servicePort: 0,
      serviceType: 'bench',
      serviceDescription: 'echo service for the benchmark',
      redis: { url: `${redisUrl}/${HYDRA_DB}` },
    },
  });
  await hydra.registerService();
  hydra.on('message', (message) => {
    if (message.typ === 'evt') {
      onEvent();
      return;
    }
    hydra.sendReplyMessage(message, { bdy: message.bdy });
  });
  return { instanceId: hydra.getInstanceID() };
}

export async function stop() {
  await hydra?.shutdown();
}
