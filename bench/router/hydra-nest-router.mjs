// hydra-nest's router (`createRouter` from @hydra-nest/router) in a process of its own. It reports a
// load error (and the orchestrator skips it) when the package does not export createRouter yet.
import { readyOnListen, stopOnDisconnect } from './process-helpers.mjs';

const { redisUrl, serviceName } = JSON.parse(process.argv[2]);

let router;
try {
  const mod = await import('@hydra-nest/router');
  if (typeof mod.createRouter !== 'function') {
    throw new Error('@hydra-nest/router does not export createRouter (yet): build the h18-router work first');
  }
  const { silentLogger } = await import('@hydra-nest/core');
  router = await mod.createRouter({
    redis: { url: redisUrl },
    port: 0,
    host: '127.0.0.1',
    serviceIP: '127.0.0.1',
    serviceName,
    logger: silentLogger,
  });
} catch (error) {
  process.send?.({ type: 'load-error', error: error instanceof Error ? error.message : String(error) });
  process.exit(0);
}
stopOnDisconnect(() => router.stop());
readyOnListen({ port: router.port });
