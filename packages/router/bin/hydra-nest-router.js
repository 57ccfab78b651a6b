#!/usr/bin/env node
// The `hydra-nest-router` command. A committed file, so that `npm ci` links it before the first build;
// the command itself is the compiled packages/router/src/cli/main.ts (`npm run build`).
import('../dist/cli/main.js').catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write('hydra-nest-router is not built yet: run `npm run build` first\n');
  process.exit(1);
});
