import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hydra, silentLogger } from '@hydra-nest/core';
import { useCluster } from '../harness/cluster.js';
import { sleep } from '../harness/wait.js';

// Issue #17, item 7: `npm run demo` and the samples on a Redis Cluster named by REDIS_CLUSTER_NODES, the
// way REDIS_URL names one server. The demo runs as a user runs it: built samples, child processes.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BUILT = [
  'hello/dist/main.js',
  'greeter/dist/main.js',
  'image-worker/dist/main.js',
  'config/dist/index.js',
];
const SERVICES = ['hello-svc', 'greeter-svc', 'image-svc'];

/** SPUBLISH calls so far, all masters together. */
async function spublishCalls(reader: Cluster): Promise<number> {
  const counts = await Promise.all(
    reader.nodes('master').map(async (node) => {
      const stats = await node.info('commandstats');
      return Number(stats.match(/cmdstat_spublish:calls=(\d+)/)?.[1] ?? 0);
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

/** `node scripts/demo.mjs` in a process group of its own, as a terminal runs it; its output is kept. */
class Demo {
  output = '';
  readonly exited: Promise<number | null>;

  constructor(private readonly child: ChildProcess) {
    const keep = (chunk: Buffer) => (this.output += chunk.toString());
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static start(env: NodeJS.ProcessEnv): Demo {
    const missing = BUILT.map((file) => path.join(ROOT, 'samples', file)).filter((f) => !existsSync(f));
    if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run \`npm run build\` first`);
    const child = spawn(process.execPath, ['scripts/demo.mjs'], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new Demo(child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once the demo printed `text`; fails with its output when it exits first or after `timeoutMs`. */
  async waitFor(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (!this.running || Date.now() > deadline) {
        const why = this.running ? `did not print "${text}" within ${timeoutMs} ms` : 'exited';
        throw new Error(`the demo ${why}; it printed:\n${this.output}`);
      }
      await sleep(100);
    }
  }

  /** Ctrl-C as a terminal sends it: SIGINT to the demo and its samples at once. */
  interrupt(): void {
    process.kill(-this.child.pid!, 'SIGINT');
  }

  /** Kills whatever is left of the demo's process group. */
  kill(): void {
    if (this.running) process.kill(-this.child.pid!, 'SIGKILL');
  }
}

describe('npm run demo on a Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  const cluster = useCluster();
  let demo: Demo | undefined;
  let client: Hydra | undefined;
  let reader: Cluster | undefined;

  beforeAll(async () => {
    const nodeList = cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(',');
    const { REDIS_URL: _ignored, ...env } = process.env;
    demo = Demo.start({ ...env, REDIS_CLUSTER_NODES: nodeList, NO_COLOR: '1' });
    await demo.waitFor('Running. Press Ctrl-C', 40_000);
    client = new Hydra({
      serviceName: 'demo-test',
      logger: silentLogger,
      redis: { cluster: { nodes: cluster.nodes } },
    });
    await client.start();
    reader = new Cluster(cluster.nodes);
  }, 50_000);

  afterAll(async () => {
    demo?.kill();
    reader?.disconnect();
    await client?.stop();
  });

  it('registers the samples under their hash tags and shows their calls and a queue job', async () => {
    const output = demo!.output;
    expect(output).toContain('Using REDIS_CLUSTER_NODES=');
    expect(output).toMatch(/GET http:\S+\/v1\/greeter\/newcomer -> .* 200 .*"via":"umf"/);
    expect(output).toContain('image-svc queue now: {"received":0,"inProgress":0,"incomplete":1');
    // The gateway routes on the cluster too (issue #18).
    expect(output).toMatch(/GET http:\S+\/v1\/hello\/newcomer -> the router sent it to hello-svc -> 200 /);
    expect(output).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard/);
    for (const service of SERVICES) {
      expect(output).toContain(`- ${service}: slot `);
      expect(await reader!.exists(client!.keys.service(service))).toBe(1); // hydra:service:{<service>}:service
    }
  });

  it('answers a UMF request to hello-svc over sharded pub/sub', async () => {
    const before = await spublishCalls(reader!);
    const reply = await client!.messaging.request({
      to: 'hello-svc:/',
      typ: 'hello.greet',
      bdy: { name: 'ann' },
    });
    expect(reply.bdy).toEqual({ greeting: 'hello, ann', via: 'umf', askedBy: 'demo-test' });
    expect((await spublishCalls(reader!)) - before).toBeGreaterThanOrEqual(2); // the request and its reply
  });

  it('answers an HTTP call to greeter-svc, which asks hello-svc over UMF', async () => {
    const response = await client!.messaging.makeAPIRequest({
      to: 'greeter-svc:[get]/v1/greeter/bob',
      bdy: {},
    });
    expect(response.statusCode).toBe(200);
    expect(response.result).toMatchObject({ greeting: 'hello, bob', via: 'umf', askedBy: 'greeter-svc' });
  });

  it('stops on Ctrl-C: every sample deregisters and the demo exits with 0', async () => {
    demo!.interrupt();
    const code = await Promise.race([
      demo!.exited,
      new Promise((r) => setTimeout(() => r('still running after 15 s'), 15_000)),
    ]);
    expect(code, demo!.output).toBe(0);
    for (const service of [...SERVICES, 'hydra-router']) {
      expect(demo!.output).toContain(`${service}: deregistered`);
      expect(await client!.discovery.instances(service)).toEqual([]);
    }
  }, 20_000);
});
