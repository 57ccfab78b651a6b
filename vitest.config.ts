import swc from 'unplugin-swc';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The behaviour suites that run a second time on a Redis Cluster (3 masters, 3 replicas), from the same
 * test code (test/harness/topology.ts). The other files are standalone only: Hydra 1.x interop (Hydra
 * cannot run on a cluster), TLS, Sentinel, ACL, the harness's own tests, and unit tests without Redis.
 */
const CLUSTER_SUITES = [
  'packages/core/test/hydra-lifecycle.test.ts',
  'packages/core/test/health.test.ts',
  'packages/core/test/discovery.test.ts',
  'packages/core/test/node-directory.test.ts',
  'packages/core/test/instance-cache.test.ts',
  'packages/core/test/announcements.test.ts',
  'packages/core/test/routes.test.ts',
  'packages/core/test/config-store.test.ts',
  'packages/core/test/flight-recorder.test.ts',
  'packages/core/test/messaging*.test.ts',
  'packages/core/test/http-request-retries.test.ts',
  'packages/core/test/queue-*.test.ts',
  'test/crash/queue-crash.test.ts',
  'packages/router/test/router-http.test.ts',
  'packages/router/test/router-admin.test.ts',
  'packages/router/test/websocket-gateway.test.ts',
  'packages/router/test/dashboard.test.ts',
];

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
      { find: '@hydra-nest/nest/metrics', replacement: fromRoot('packages/nest/src/metrics/index.ts') },
      { find: '@hydra-nest/core/metrics', replacement: fromRoot('packages/core/src/metrics/index.ts') },
      {
        find: /^@hydra-nest\/(umf|core|nest|router|cli)$/,
        replacement: fromRoot('packages/$1/src/index.ts'),
      },
    ],
  },
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Two cores: a couple of files at once keeps Redis-heavy suites from starving each other.
    fileParallelism: true,
    maxWorkers: 2,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'standalone',
          include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
          env: { HYDRA_TEST_TOPOLOGY: 'standalone' },
        },
      },
      {
        extends: true,
        test: { name: 'cluster', include: CLUSTER_SUITES, env: { HYDRA_TEST_TOPOLOGY: 'cluster' } },
      },
    ],
  },
});
