import swc from 'unplugin-swc';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// SWC compiles the TypeScript so that decorator metadata (constructor injection types) is emitted
// exactly as tsc would; esbuild, Vitest's default, drops it and Nest injection breaks silently.
export default defineConfig({
  plugins: [
    swc.vite({
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
    }),
  ],
  resolve: {
    // Workspace packages resolve to their TypeScript sources, so tests never run stale builds.
    alias: [
      { find: '@hydra-nest/nest/terminus', replacement: fromRoot('packages/nest/src/terminus/index.ts') },
      { find: /^@hydra-nest\/(umf|core|nest)$/, replacement: fromRoot('packages/$1/src/index.ts') },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Two cores: a couple of files at once keeps Redis-heavy suites from starving each other.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
  },
});
