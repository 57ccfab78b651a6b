import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import { call, startService, type TestService } from './support.js';

// `hydra-nest-router` as a user starts it: a process with flags, stopped with SIGTERM.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const redis = useRedis();
let service: TestService;

beforeAll(async () => {
  service = await startService({ url: redis.urlFor(15) }, 'bin-svc', ['[get]/v1/bin']);
});
afterAll(async () => {
  await service?.stop();
});

function startBin(args: string[]): { child: ChildProcess; output: () => string } {
  let output = '';
  const env = { ...process.env };
  for (const name of ['REDIS_URL', 'PORT', 'ROUTER_PORT', 'REDIS_CLUSTER_NODES']) delete env[name];
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      './test/crash/register-ts.mjs',
      'packages/router/src/cli/main.ts',
      ...args,
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  return { child, output: () => output };
}

/** The first message a WebSocket client gets from `url` (the gateway's welcome). */
function firstWebSocketMessage(url: string): Promise<Record<string, unknown>> {
  const socket = new WebSocket(url);
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    socket.once('message', (data) => resolve(JSON.parse(data.toString()) as Record<string, unknown>));
    socket.once('error', reject);
  }).finally(() => socket.close());
}

describe('hydra-nest-router', () => {
  it('starts from flags, routes, serves the dashboard and WebSocket, and deregisters on SIGTERM', async () => {
    const bin = startBin([
      '--redis-url',
      redis.urlFor(15),
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--timeout',
      '2s',
    ]);
    try {
      const url = await eventually(() => /listening on (http:\/\/\S+) /.exec(bin.output())?.[1], {
        timeoutMs: 15_000,
        what: `the listening line; output so far: ${bin.output()}`,
      });
      expect((await call(`${url}/v1/bin`)).json.result.service).toBe('bin-svc');
      expect((await call(`${url}/v1/router/version`)).status).toBe(200);
      const page = await fetch(`${url}/dashboard`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<html');
      expect(await firstWebSocketMessage(url.replace('http', 'ws'))).toMatchObject({ typ: 'connection' });
      expect(await service.hydra.discovery.instances('hydra-router')).toHaveLength(1);
      const exited = new Promise<number | null>((resolve) => bin.child.once('exit', (code) => resolve(code)));
      bin.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await service.hydra.discovery.instances('hydra-router')).toEqual([]);
    } finally {
      if (bin.child.exitCode === null) bin.child.kill('SIGKILL');
    }
  });

  it('prints its usage with --help and refuses a bad flag with exit code 2', async () => {
    const help = startBin(['--help']);
    expect(await new Promise((resolve) => help.child.once('exit', resolve))).toBe(0);
    expect(help.output()).toContain('--redis-cluster');
    const bad = startBin(['--max-body', 'huge']);
    expect(await new Promise((resolve) => bad.child.once('exit', resolve))).toBe(2);
    expect(bad.output()).toContain('--max-body');
  });
});
