// Prepares the real hydra-router (pnxtech/hydra-router, not on npm) to run against the benchmark's own
// Redis, without writing into its source tree: hydra-router reads `./config/config.json` next to its
// entry script, so the entry script is copied into a temporary directory with that config, and its
// `lib`, `node_modules`, `public` and `package.json` are symlinked (Node resolves modules by real path,
// so every `require('hydra')` still gets the one singleton).
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Checks `HYDRA_ROUTER_DIR`; returns `{ dir }` or `{ skip: reason }`.
 */
export function findHydraRouter(env = process.env) {
  const dir = env.HYDRA_ROUTER_DIR;
  if (!dir) {
    return {
      skip:
        'HYDRA_ROUTER_DIR is not set (fetch pnxtech/hydra-router, npm install its dependencies there, ' +
        'and point HYDRA_ROUTER_DIR at it)',
    };
  }
  for (const needed of ['hydra-router.js', 'lib/servicerouter.js', 'node_modules/hydra']) {
    if (!existsSync(path.join(dir, needed))) {
      return {
        skip: `HYDRA_ROUTER_DIR=${dir} has no ${needed} (is it hydra-router's source, with npm install run?)`,
      };
    }
  }
  return { dir };
}

/** A runnable copy of hydra-router in a temporary directory, listening on `port`, on `redisUrl` (db 15). */
export function prepareHydraRouter(sourceDir, { port, redisUrl }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-hydra-router-'));
  copyFileSync(path.join(sourceDir, 'hydra-router.js'), path.join(dir, 'hydra-router.js'));
  for (const name of ['lib', 'node_modules', 'public', 'package.json']) {
    if (existsSync(path.join(sourceDir, name))) symlinkSync(path.join(sourceDir, name), path.join(dir, name));
  }
  mkdirSync(path.join(dir, 'config'));
  const config = {
    externalRoutes: {},
    routerToken: '',
    disableRouterEndpoint: false,
    debugLogging: false,
    queuerDB: 15,
    requestTimeout: 5,
    forceMessageSignature: false,
    hydra: {
      serviceName: 'hydra-router',
      serviceDescription: 'hydra-router under bench/router.mjs',
      serviceIP: '127.0.0.1',
      servicePort: String(port),
      serviceType: 'router',
      plugins: { hydraLogger: { logToConsole: false, onlyLogLocally: true } },
      redis: { url: redisUrl },
    },
  };
  writeFileSync(path.join(dir, 'config', 'config.json'), JSON.stringify(config, null, 2));
  return {
    dir,
    entry: path.join(dir, 'hydra-router.js'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
