// `node --conditions=source --import ./test/crash/register-ts.mjs file.ts` runs TypeScript sources
// (workspace packages resolve to their `src` through the `source` export condition).
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
