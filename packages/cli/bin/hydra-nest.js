#!/usr/bin/env node
// The `hydra-nest` command. A committed file, so that `npm ci` links it before the first build; the
// command itself is the compiled packages/cli/src/bin.ts (`npm run build`).
import('../dist/bin.js').catch((error) => {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
  process.stderr.write('hydra-nest is not built yet: run `npm run build` first\n');
  process.exit(1);
});
