import { describe, expect, it } from 'vitest';
import { parseRouterArgs } from '../src/cli/router-args.js';
import { RouterConfigError } from '../src/index.js';

const run = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const command = parseRouterArgs(argv, env);
  if (command.kind !== 'run') throw new Error(`expected run, got ${command.kind}`);
  return command.options;
};

describe('hydra-nest-router flags and environment', () => {
  it('reads every option from flags', () => {
    expect(
      run([
        '--redis-url=redis://10.0.0.5:6380/15',
        '--port=8080',
        '--host=127.0.0.1',
        '--prefix=/api',
        '--max-body=512kb',
        '--timeout=5s',
        '--admin-token=secret',
        '--key-prefix=acme:service',
        '--load-balancing=random',
      ]),
    ).toEqual({
      redis: { url: 'redis://10.0.0.5:6380/15' },
      port: 8080,
      host: '127.0.0.1',
      pathPrefix: '/api',
      maxBodyBytes: 512 * 1024,
      timeoutMs: 5000,
      admin: { token: 'secret' },
      keyspace: { prefix: 'acme:service' },
      loadBalancing: 'random',
    });
  });

  it('reads the environment, hydra-router’s variable names included, and lets flags win', () => {
    const env = {
      REDIS_URL: 'redis://127.0.0.1:7000/15',
      ROUTER_PORT: '9000',
      HYDRA_ROUTER_REQUESTTIMEOUT: '7',
      HYDRA_ROUTER_ROUTERTOKEN: 'tok',
      ROUTER_MAX_BODY: '2mb',
    };
    expect(run([], env)).toMatchObject({
      redis: { url: 'redis://127.0.0.1:7000/15' },
      port: 9000,
      timeoutMs: 7000,
      admin: { token: 'tok' },
      maxBodyBytes: 2 * 1024 * 1024,
    });
    expect(run(['--port', '9100', '--timeout', '250'], env)).toMatchObject({ port: 9100, timeoutMs: 250 });
  });

  it('reads a cluster or a Sentinel group instead of a URL', () => {
    expect(run(['--redis-cluster', '127.0.0.1:7000,127.0.0.1:7001']).redis).toEqual({
      cluster: { nodes: ['127.0.0.1:7000', '127.0.0.1:7001'] },
    });
    expect(
      run([], { REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_MASTER: 'main', REDIS_DB: '15' }).redis,
    ).toEqual({
      sentinel: { masterName: 'main', sentinels: [{ host: '127.0.0.1', port: 26379 }] },
      db: 15,
    });
  });

  it('turns the admin API off with --no-admin or ROUTER_ADMIN=off', () => {
    expect(run(['--no-admin']).admin).toBe(false);
    expect(run([], { ROUTER_ADMIN: 'off' }).admin).toBe(false);
  });

  it('answers --help and --version, and names a bad value', () => {
    expect(parseRouterArgs(['--help'], {}).kind).toBe('help');
    expect(parseRouterArgs(['--version'], {}).kind).toBe('version');
    expect(() => run(['--port', 'eighty'])).toThrow(RouterConfigError);
    expect(() => run(['--max-body', 'lots'])).toThrow(/--max-body.*512kb or 1mb/);
    expect(() => run(['--sentinels', '127.0.0.1:26379'])).toThrow(/--sentinel-master/);
    expect(() => run(['--bogus'])).toThrow(/--help/);
  });
});
