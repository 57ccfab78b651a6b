// hydra-nest's client side without Nest: a core Hydra instance and its messaging layer.
// request() = messenger.request(umf, { timeoutMs }) resolving with the reply UMF (correlated on rmid);
// emit() = messenger.sendMessage(umf), one-way.
//
// Expected from @hydra-nest/core: new Hydra({ serviceName, serviceIP, redis: { url }, logger }), start(),
// stop(), instanceId, discovery.instances(service); and a messenger reachable as `hydra.messaging`,
// `hydra.messenger`, or `new Messenger(hydra)`, with request(umf, { timeoutMs }) -> Promise<reply UMF>
// (reply body in `bdy`, or `body` for the long form) and sendMessage(umf) -> Promise.
// With `clusterNodes` in its config (bench/cluster.mjs) it runs on that Redis Cluster instead.
import * as core from '@hydra-nest/core';
import { hydraNestRedis, requireExports, sleep } from '../../lib/common.mjs';
import { metricsWanted, registerTracing, tracingWanted } from '../../lib/observability.mjs';
import { HN_DB, HN_SERVICE } from './hydra-nest-server.mjs';

requireExports(core, ['Hydra'], '@hydra-nest/core');

const CLIENT_SERVICE = 'bench-client';
const TO = `${HN_SERVICE}:/`;
const TIMEOUT = { timeoutMs: 5000 };
let hydra;
let messenger;
let frm;

function findMessenger(instance) {
  const found = instance.messaging ?? instance.messenger;
  if (found) return found;
  if (typeof core.Messenger === 'function') return new core.Messenger(instance);
  throw new Error(
    '@hydra-nest/core has no messaging layer yet (no hydra.messaging, hydra.messenger or Messenger)',
  );
}

export async function connect(cfg) {
  if (tracingWanted()) await registerTracing();
  hydra = new core.Hydra({
    serviceName: CLIENT_SERVICE,
    serviceIP: '127.0.0.1',
    redis: hydraNestRedis(cfg, HN_DB),
    logger: core.silentLogger,
  });
  messenger = findMessenger(hydra);
  if (metricsWanted()) (await import('@hydra-nest/core/metrics')).collectHydraMetrics(hydra);
  await hydra.start();
  frm = `${hydra.instanceId}@${CLIENT_SERVICE}:/`;
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const instances = await hydra.discovery.instances(HN_SERVICE).catch(() => []);
    if (instances.length > 0) return;
    await sleep(100);
  }
  throw new Error(`${HN_SERVICE} never became present`);
}

export async function request(body) {
  const reply = await messenger.request({ to: TO, frm, typ: 'echo', bdy: body }, TIMEOUT);
  return reply.bdy ?? reply.body;
}

export function emit(body) {
  return messenger.sendMessage({ to: TO, frm, typ: 'evt', bdy: body });
}

export async function close() {
  await hydra?.stop();
}
