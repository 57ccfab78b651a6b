import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hydra, silentLogger, WorkQueue } from '@hydra-nest/core';
import { ExitCode } from '@hydra-nest/cli';
import { useCluster } from '../../../test/harness/cluster.js';
import { SENTINEL_MASTER, useSentinel } from '../../../test/harness/sentinel.js';
import { jsonOf, runCli } from './run-cli.js';

function echoService(hydra: Hydra): void {
  hydra.messaging.setHandler((message) => {
    hydra.messaging.reply(message, { echo: message.bdy }).catch(() => undefined);
  });
}

// The CLI on the other topologies the core supports: a Redis Cluster (hash-tagged keys, sharded
// pub/sub) and a Sentinel deployment, each given by option and by environment.
// Each run is a new node process connecting to a cluster: give them time on a loaded machine.
describe('hydra-nest CLI on a Redis Cluster', { timeout: 120_000 }, () => {
  const cluster = useCluster();
  let nodes: string;
  const hydras: Hydra[] = [];

  beforeAll(async () => {
    nodes = cluster.nodes.map(({ host, port }) => `${host}:${port}`).join(',');
    for (const port of [4201, 4202]) {
      const hydra = new Hydra({
        serviceName: 'stock-svc',
        serviceIP: '127.0.0.1',
        servicePort: port,
        routes: ['[get]/v1/stock/:sku'],
        logger: silentLogger,
        redis: { cluster: { nodes: cluster.nodes } },
      });
      await hydra.start();
      echoService(hydra);
      hydras.push(hydra);
    }
    const queue = new WorkQueue(hydras[0]!);
    await queue.queueMessage({ to: 'stock-svc:/', frm: 'stock-svc:/', bdy: { sku: 'tea' } });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(hydras.map((h) => h.stop()));
  });

  it('lists services, presence and routes with --cluster', async () => {
    const services = jsonOf(await runCli(['--cluster', nodes, 'services', '--json']));
    expect(services).toEqual([expect.objectContaining({ serviceName: 'stock-svc', instances: 2 })]);
    const presence = jsonOf(await runCli(['--cluster', nodes, 'presence', 'stock-svc', '--json']));
    expect(presence['stock-svc']).toHaveLength(2);
    const routes = jsonOf(await runCli(['--cluster', nodes, 'routes', '--json']));
    expect(routes['stock-svc']).toContain('[get]/v1/stock/:sku');
  });

  it('sends, pings and reads the queue through REDIS_CLUSTER_NODES', async () => {
    const env = { REDIS_CLUSTER_NODES: nodes };
    const send = await runCli(['send', 'stock-svc:[get]/v1/stock/tea', '{"sku":"tea"}'], { env });
    expect(send.code, send.stderr).toBe(ExitCode.Ok);
    expect(JSON.parse(send.stdout)).toEqual({ echo: { sku: 'tea' } });
    const ping = await runCli(['ping', 'stock-svc', '--json'], { env });
    expect(ping.code, ping.stderr).toBe(ExitCode.Ok);
    expect(jsonOf(ping).map((r: any) => r.answered)).toEqual([true, true]);
    const stats = jsonOf(await runCli(['queue', 'stats', 'stock-svc', '--json'], { env }));
    expect(stats).toMatchObject({ service: 'stock-svc', received: 1, incomplete: 0 });
    const watch = await runCli(['watch', '--count', '1', '--json'], { env });
    expect(JSON.parse(watch.stdout).services[0]).toMatchObject({
      serviceName: 'stock-svc',
      queue: { received: 1 },
    });
  });

  it('names an unknown service on a cluster too', async () => {
    const run = await runCli(['--cluster', nodes, 'health', 'nope-svc']);
    expect(run.code).toBe(ExitCode.NotFound);
    expect(run.stderr).toContain(
      `unknown service "nope-svc": it is not registered at the Redis Cluster at ${nodes}`,
    );
  });
});

describe('hydra-nest CLI through Redis Sentinel', { timeout: 120_000 }, () => {
  const group = useSentinel();
  let hydra: Hydra;
  let sentinels: string;

  beforeAll(async () => {
    sentinels = group.sentinels.map(({ host, port }) => `${host}:${port}`).join(',');
    hydra = new Hydra({
      serviceName: 'watched-svc',
      logger: silentLogger,
      redis: { sentinel: { masterName: SENTINEL_MASTER, sentinels: group.sentinels }, db: 15 },
    });
    await hydra.start();
  }, 90_000);

  afterAll(async () => {
    await hydra?.stop();
  });

  it('finds the master with --sentinel and --sentinel-master, or the environment', async () => {
    const byOption = await runCli([
      '--sentinel',
      sentinels,
      '--sentinel-master',
      SENTINEL_MASTER,
      'services',
      '--json',
    ]);
    expect(byOption.code, byOption.stderr).toBe(ExitCode.Ok);
    expect(jsonOf(byOption).map((s: any) => s.serviceName)).toEqual(['watched-svc']);
    const env = { REDIS_SENTINELS: sentinels, REDIS_SENTINEL_MASTER: SENTINEL_MASTER };
    expect(jsonOf(await runCli(['presence', 'watched-svc', '--json'], { env }))['watched-svc']).toHaveLength(
      1,
    );
  });

  it('exits 1 when the master group name is missing', async () => {
    const run = await runCli(['--sentinel', sentinels, 'services']);
    expect(run.code).toBe(ExitCode.Usage);
    expect(run.stderr).toContain('--sentinel-master <name>');
  });
});
