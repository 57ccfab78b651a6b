import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleValue, scrape } from '../harness/prometheus.js';
import { freePort, useRedis } from '../harness/redis.js';
import { eventually } from '../harness/wait.js';

// The samples as `npm run demo` runs them (built, child processes): each serves Prometheus metrics at
// /metrics on its PORT (hello-svc on its HTTP server; image-svc, a worker without HTTP, on a port of
// their own).
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const redis = useRedis();
const children: ChildProcess[] = [];

afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
});

async function startSample(entry: string): Promise<number> {
  const file = path.join(ROOT, 'samples', entry);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const env = { ...process.env, REDIS_URL: redis.urlFor(15), PORT: String(port) };
  delete env.REDIS_CLUSTER_NODES;
  const child = spawn(process.execPath, [file], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return port;
}

describe('samples serve /metrics', () => {
  it('hello-svc on its HTTP port and image-svc on its own port, scraped over HTTP', async () => {
    const [hello, images] = await Promise.all([
      startSample('hello/dist/main.js'),
      startSample('image-worker/dist/main.js'),
    ]);
    for (const port of [hello, images]) {
      const { status, samples } = await eventually(
        async () => {
          const scraped = await scrape(`http://127.0.0.1:${port}/metrics`);
          expect(scraped.status).toBe(200);
          // Served from module init on; both connections up once Hydra has started.
          for (const connection of ['command', 'subscriber']) {
            expect(sampleValue(scraped.samples, 'hydra_redis_connection_up', { connection })).toBe(1);
          }
          return scraped;
        },
        { timeoutMs: 20_000, what: `/metrics on port ${port}` },
      );
      expect(status).toBe(200);
      expect(sampleValue(samples, 'hydra_requests_in_flight')).toBe(0);
    }
    // image-svc consumes its queue (once its workers started): its depths are reported.
    await eventually(async () => {
      const { samples } = await scrape(`http://127.0.0.1:${images}/metrics`);
      expect(sampleValue(samples, 'hydra_queue_depth', { service: 'image-svc', list: 'received' })).toBe(0);
      return true;
    });
  });
});
