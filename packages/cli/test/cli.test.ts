import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_REPLY_TYPE, errorBody, Hydra, silentLogger, WorkQueue } from '@hydra-nest/core';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CLI_VERSION, ExitCode } from '@hydra-nest/cli';
import { useRedis, freePort } from '../../../test/harness/redis.js';
import { HydraPeer } from '../../../test/interop/hydra-peer.js';
import { jsonOf, runCli, type CliRunOptions } from './run-cli.js';

const execFileAsync = promisify(execFile);

// The `hydra-nest` bin run as a child process against a private Redis holding two hydra-nest instances
// of orders-svc, a real Hydra 1.9.3 service that answers (legacy-svc) and one that never does (mute-svc).
// Every test runs the CLI several times, each a new node process: minutes on a loaded 2-core machine.
describe('hydra-nest CLI (end to end, standalone Redis)', { timeout: 120_000 }, () => {
  const redis = useRedis();
  const services: Hydra[] = [];
  const peers: HydraPeer[] = [];
  let legacy: HydraPeer;
  let url: string;
  const cli = (args: string[], options?: CliRunOptions) => runCli(['--redis', url, ...args], options);

  beforeAll(async () => {
    url = redis.urlFor(15);
    for (const port of [4101, 4102]) {
      const orders = new Hydra({
        serviceName: 'orders-svc',
        serviceType: 'nest',
        serviceIP: '127.0.0.1',
        servicePort: port,
        serviceVersion: '2.1.0',
        routes: ['[get]/v1/orders/:id', '[post]/v1/orders'],
        logger: silentLogger,
        redis: { url },
      });
      await orders.start();
      orders.messaging.setHandler((message) => {
        const body = message.bdy as { fail?: boolean } | undefined;
        const reply = body?.fail
          ? orders.messaging.reply(
              message,
              errorBody(422, 'ValidationError', 'quantity must be positive'),
              ERROR_REPLY_TYPE,
            )
          : orders.messaging.reply(message, { ok: true, echo: message.bdy, port });
        reply.catch(() => undefined);
      });
      services.push(orders);
    }
    await services[0]!.flightRecorder.append('info', 'orders started');
    await services[0]!.flightRecorder.append('error', { reason: 'payment timed out', orderId: 7 });
    legacy = await HydraPeer.start({
      redisUrl: url,
      serviceName: 'legacy-svc',
      servicePort: 5701,
      serviceVersion: '1.9.0',
      routes: ['[get]/v1/legacy/items'],
    });
    await legacy.autoReply({ bodyTemplate: { from: 'hydra 1.x' } });
    peers.push(legacy, await HydraPeer.start({ redisUrl: url, serviceName: 'mute-svc', servicePort: 5702 }));
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...services.map((s) => s.stop()), ...peers.map((p) => p.stop())]);
  });

  describe('registry', () => {
    it('lists services with their live instances, as a table and as JSON', async () => {
      const table = await cli(['services']);
      expect(table.code).toBe(ExitCode.Ok);
      expect(table.stdout).toMatch(/SERVICE\s+INSTANCES\s+TYPE\s+REGISTERED/);
      expect(table.stdout).toMatch(/orders-svc\s+2\s+nest/);
      expect(table.stdout).toMatch(/legacy-svc\s+1\s+hydra-peer/);

      const rows = jsonOf(await cli(['--json', 'services']));
      expect(rows).toEqual(
        expect.arrayContaining([
          { serviceName: 'orders-svc', type: 'nest', registeredOn: expect.any(String), instances: 2 },
          { serviceName: 'legacy-svc', type: 'hydra-peer', registeredOn: expect.any(String), instances: 1 },
        ]),
      );
    });

    it('lists the nodes of one service, hydra-nest and Hydra 1.x alike', async () => {
      const nodes = jsonOf(await cli(['nodes', 'orders-svc', '--json']));
      expect(nodes.map((n: any) => n.instanceID).sort()).toEqual(services.map((s) => s.instanceId).sort());
      expect(nodes[0]).toMatchObject({
        serviceName: 'orders-svc',
        version: '2.1.0',
        elapsed: expect.any(Number),
      });
      const legacyNodes = jsonOf(await cli(['nodes', 'legacy-svc', '--json']));
      expect(legacyNodes).toEqual([expect.objectContaining({ instanceID: legacy.instanceId, port: '5701' })]);
      const table = await cli(['nodes']);
      expect(table.stdout).toMatch(/SERVICE\s+INSTANCE\s+VERSION\s+ADDRESS/);
      expect(table.stdout).toContain('127.0.0.1:4101');
    });

    it('lists routes of every service, or of one', async () => {
      const all = jsonOf(await cli(['routes', '--json']));
      expect(all['orders-svc']).toEqual(expect.arrayContaining(['[get]/v1/orders/:id', '[post]/v1/orders']));
      expect(all['legacy-svc']).toContain('[get]/v1/legacy/items');
      const one = jsonOf(await cli(['routes', 'legacy-svc', '--json']));
      expect(Object.keys(one)).toEqual(['legacy-svc']);
      expect((await cli(['routes', 'orders-svc'])).stdout).toMatch(/orders-svc\s+\[get\]\/v1\/orders\/:id/);
    });

    it('shows the health snapshot of each live instance', async () => {
      const health = jsonOf(await cli(['health', 'orders-svc', '--json']));
      expect(Object.keys(health)).toEqual(['orders-svc']);
      expect(health['orders-svc'].map((h: any) => h.instanceID).sort()).toEqual(
        services.map((s) => s.instanceId).sort(),
      );
      expect(health['orders-svc'][0]).toMatchObject({
        memory: { rss: expect.any(Number) },
        uptimeSeconds: expect.any(Number),
      });
      const all = await cli(['health']);
      expect(all.code).toBe(ExitCode.Ok);
      expect(all.stdout).toMatch(/orders-svc\s+[0-9a-f]{8}\s+up/);
    });

    it('shows the live instances (presence) of a Hydra 1.x service', async () => {
      const presence = jsonOf(await cli(['presence', 'legacy-svc', '--json']));
      expect(presence).toEqual({
        'legacy-svc': [
          expect.objectContaining({ instanceID: legacy.instanceId, updatedOnTS: expect.any(Number) }),
        ],
      });
      const all = jsonOf(await cli(['presence', '--json']));
      expect(all['orders-svc']).toHaveLength(2);
    });

    it('prints the newest flight-recorder entries first, -n of them', async () => {
      const newest = jsonOf(await cli(['log', 'orders-svc', '-n', '1', '--json']));
      expect(newest).toEqual([
        expect.objectContaining({ type: 'error', msg: { reason: 'payment timed out', orderId: 7 } }),
      ]);
      const table = await cli(['log', 'orders-svc']);
      expect(table.stdout).toMatch(/error\s+\d+\s+\{"reason":"payment timed out","orderId":7\}/);
      expect(table.stdout).toContain('orders started');
    });

    it('exits 3 with one line naming an unknown service', async () => {
      for (const args of [
        ['nodes', 'nope-svc'],
        ['ping', 'nope-svc'],
        ['queue', 'stats', 'nope-svc'],
      ]) {
        const run = await cli(args);
        expect(run.code, args.join(' ')).toBe(ExitCode.NotFound);
        expect(run.stderr).toMatch(/^hydra-nest: unknown service "nope-svc": .*hydra-nest services.*\n$/);
        expect(run.stdout).toBe('');
      }
    });
  });

  describe('config', () => {
    it('puts, gets and lists configs that Hydra 1.x reads', async () => {
      const put = await cli(['config', 'put', 'orders-svc:1.0.0', '{"pageSize":50}']);
      expect(put).toMatchObject({ code: ExitCode.Ok, stdout: 'stored orders-svc:1.0.0\n' });
      expect(jsonOf(await cli(['config', 'get', 'orders-svc:1.0.0']))).toEqual({ pageSize: 50 });
      expect(await legacy.call('getConfig', 'orders-svc:1.0.0')).toEqual({ pageSize: 50 });

      const fromStdin = await cli(['config', 'put', 'orders-svc:1.1.0', '-', '--json'], {
        input: '{"pageSize":10}',
      });
      expect(jsonOf(fromStdin)).toEqual({ label: 'orders-svc:1.1.0', stored: true });
      expect(jsonOf(await cli(['config', 'list', 'orders-svc', '--json']))).toEqual([
        'orders-svc:1.0.0',
        'orders-svc:1.1.0',
      ]);
    });

    it('exits 3 for a missing label and 1 for invalid JSON or a bad label', async () => {
      const missing = await cli(['config', 'get', 'orders-svc:9.9.9']);
      expect(missing.code).toBe(ExitCode.NotFound);
      expect(missing.stderr).toContain('no config "orders-svc:9.9.9"');
      const badJson = await cli(['config', 'put', 'orders-svc:2.0.0', '{pageSize:']);
      expect(badJson.code).toBe(ExitCode.Usage);
      expect(badJson.stderr).toContain('the config is not valid JSON');
      expect((await cli(['config', 'get', 'no-version'])).code).toBe(ExitCode.Usage);
    });
  });

  describe('send', () => {
    it('prints the reply of a hydra-nest service (--json: the whole reply)', async () => {
      const run = await cli(['send', 'orders-svc:[post]/v1/orders', '{"item":"tea"}']);
      expect(run.code).toBe(ExitCode.Ok);
      expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, echo: { item: 'tea' } });
      const reply = jsonOf(await cli(['send', 'orders-svc:/', '{"n":1}', '--json']));
      expect(reply).toMatchObject({
        rmid: expect.any(String),
        mid: expect.any(String),
        bdy: { ok: true, echo: { n: 1 } },
      });
    });

    it('gets replies from a Hydra 1.x service, run after run', async () => {
      // Hydra caches a service's instances for 3 s: each run registers under a name of its own.
      for (let i = 0; i < 3; i++) {
        const run = await cli(['send', 'legacy-svc:/v1/legacy/items', `{"i":${i}}`, '--timeout', '3000']);
        expect(run.code, run.stderr).toBe(ExitCode.Ok);
        expect(JSON.parse(run.stdout)).toEqual({ echo: { i }, from: 'hydra 1.x' });
      }
    });

    it('leaves no trace in the registry once it is done', async () => {
      await cli(['send', 'orders-svc:/', '{}']);
      const names = jsonOf(await cli(['services', '--json'])).map((s: any) => s.serviceName);
      expect(names.filter((n: string) => n.startsWith('hydra-nest-cli'))).toEqual([]);
      const nodes = jsonOf(await cli(['nodes', '--json'])).map((n: any) => n.serviceName);
      expect(nodes.filter((n: string) => n.startsWith('hydra-nest-cli'))).toEqual([]);
    });

    it('exits 4 on an error reply, with its status', async () => {
      const run = await cli(['send', 'orders-svc:/', '{"fail":true}']);
      expect(run.code).toBe(ExitCode.RemoteError);
      expect(run.stderr).toBe(
        'hydra-nest: orders-svc answered 422 ValidationError: quantity must be positive\n',
      );
      const json = await cli(['send', 'orders-svc:/', '{"fail":true}', '--json']);
      expect(json.code).toBe(ExitCode.RemoteError);
      expect(jsonOf(json)).toEqual({
        statusCode: 422,
        error: { name: 'ValidationError', message: 'quantity must be positive' },
      });
    });

    it('exits 5 when no reply comes in time, 3 for an unknown service, 1 for bad input', async () => {
      const silent = await cli(['send', 'mute-svc:/', '{}', '--timeout', '400']);
      expect(silent.code).toBe(ExitCode.Timeout);
      expect(silent.stderr).toMatch(/^hydra-nest: no reply from mute-svc .* within 400 ms/);
      expect((await cli(['send', 'nope-svc:/', '{}'])).code).toBe(ExitCode.NotFound);
      const badJson = await cli(['send', 'orders-svc:/', 'not json']);
      expect(badJson.code).toBe(ExitCode.Usage);
      expect(badJson.stderr).toContain('the message body is not valid JSON');
      expect((await cli(['send', 'no-colon', '{}'])).code).toBe(ExitCode.Usage);
    });
  });

  describe('ping', () => {
    it('times a round trip to each instance of a hydra-nest service', async () => {
      const results = jsonOf(await cli(['ping', 'orders-svc', '--json']));
      expect(results.map((r: any) => r.instanceId).sort()).toEqual(services.map((s) => s.instanceId).sort());
      for (const r of results)
        expect(r).toMatchObject({ answered: true, status: 200, ms: expect.any(Number) });
      const table = await cli(['ping', 'orders-svc']);
      expect(table.code).toBe(ExitCode.Ok);
      expect(table.stdout).toMatch(/127\.0\.0\.1:4101\s+2\.1\.0\s+[\d.]+ ms\s+answered 200/);
    });

    it('pings a Hydra 1.x service that answers, and exits 5 for one that does not', async () => {
      const legacyRun = await cli(['ping', 'legacy-svc', '--json']);
      expect(legacyRun.code, legacyRun.stderr).toBe(ExitCode.Ok);
      expect(jsonOf(legacyRun)).toEqual([
        expect.objectContaining({ instanceId: legacy.instanceId, answered: true }),
      ]);
      const mute = await cli(['ping', 'mute-svc', '--timeout', '300', '--json']);
      expect(mute.code).toBe(ExitCode.Timeout);
      expect(jsonOf(mute)).toEqual([
        expect.objectContaining({ answered: false, ms: null, reason: 'no reply within 300 ms' }),
      ]);
      expect(mute.stderr).toContain('1 of 1 instance of mute-svc did not answer within 300 ms');
    });
  });

  describe('queue', () => {
    beforeAll(async () => {
      // jobs-svc never registers: a queue with messages is enough for the CLI to know it.
      const worker = new Hydra({
        serviceName: 'jobs-svc',
        register: false,
        logger: silentLogger,
        redis: { url },
      });
      await worker.start();
      services.push(worker);
      const queue = new WorkQueue(worker);
      for (const n of [1, 2, 3])
        await queue.queueMessage({ to: 'jobs-svc:/', frm: 'orders-svc:/', bdy: { n } });
      await queue.queueMessage(
        { to: 'jobs-svc:/', frm: 'orders-svc:/', bdy: { n: 4 } },
        { delayMs: 600_000 },
      );
      const first = await queue.getQueuedMessage('jobs-svc');
      await queue.markQueueMessage(first!, false, 'printer on fire');
    });

    it('counts every list, dead letters and delayed included', async () => {
      const stats = jsonOf(await cli(['queue', 'stats', 'jobs-svc', '--json']));
      expect(stats).toEqual({
        service: 'jobs-svc',
        received: 2,
        inProgress: 0,
        incomplete: 1,
        delayed: 1,
        leased: 0,
      });
      const table = await cli(['queue', 'stats', 'jobs-svc']);
      expect(table.stdout).toMatch(/incomplete \(dead letters\)\s+1/);
    });

    it('peeks at waiting, dead and delayed messages without taking them', async () => {
      const waiting = jsonOf(await cli(['queue', 'peek', 'jobs-svc', '--json']));
      expect(waiting.map((row: any) => row.message.bdy)).toEqual([{ n: 2 }, { n: 3 }]);
      const dead = jsonOf(await cli(['queue', 'peek', 'jobs-svc', '--list', 'dead', '--json']));
      expect(dead).toEqual([
        { message: expect.objectContaining({ bdy: { n: 1, reason: 'printer on fire' } }) },
      ]);
      const delayed = jsonOf(
        await cli(['queue', 'peek', 'jobs-svc', '--list', 'delayed', '-n', '5', '--json']),
      );
      expect(delayed).toEqual([
        { message: expect.objectContaining({ bdy: { n: 4 } }), dueAt: expect.any(String) },
      ]);
      expect(Date.parse(delayed[0].dueAt)).toBeGreaterThan(Date.now() + 500_000);
      const table = await cli(['queue', 'peek', 'jobs-svc', '--list', 'dead']);
      expect(table.stdout).toMatch(
        /MID\s+TO\s+BODY\n\S+\s+jobs-svc:\/\s+\{"n":1,"reason":"printer on fire"\}/,
      );
      expect((await cli(['queue', 'peek', 'jobs-svc', '--list', 'nonsense'])).code).toBe(ExitCode.Usage);
    });

    it('requeues dead letters, which a Hydra 1.x worker then takes', async () => {
      const run = jsonOf(await cli(['queue', 'requeue', 'jobs-svc', '--json']));
      expect(run).toEqual({ service: 'jobs-svc', requeued: 1 });
      const stats = jsonOf(await cli(['queue', 'stats', 'jobs-svc', '--json']));
      expect(stats).toMatchObject({ received: 3, incomplete: 0 });
      const taken: any = await legacy.call('getQueuedMessage', 'jobs-svc');
      expect(taken.bdy).toEqual({ n: 2 });
    });

    it('refuses to purge without --yes when there is no terminal to ask on', async () => {
      const run = await cli(['queue', 'purge', 'jobs-svc']);
      expect(run.code).toBe(ExitCode.Usage);
      expect(run.stderr).toMatch(
        /^hydra-nest: Delete \d+ messages from every list of the queue of jobs-svc: refused without --yes/,
      );
      expect(jsonOf(await cli(['queue', 'stats', 'jobs-svc', '--json'])).received).toBe(2);
    });

    it('asks on a terminal, and deletes nothing unless the answer is yes', async () => {
      const no = await cli(['queue', 'purge', 'jobs-svc', '--list', 'delayed'], { tty: true, input: 'n\n' });
      expect(no.code).toBe(ExitCode.Usage);
      expect(no.stdout).toContain('Delete 1 message from delayed (delayed) of the queue of jobs-svc? [y/N]');
      expect(jsonOf(await cli(['queue', 'stats', 'jobs-svc', '--json'])).delayed).toBe(1);
      const yes = await cli(['queue', 'purge', 'jobs-svc', '--list', 'delayed'], { tty: true, input: 'y\n' });
      expect(yes.code, yes.stdout).toBe(ExitCode.Ok);
      expect(yes.stdout).toContain('deleted 1 message from delayed (delayed) of jobs-svc');
      expect(jsonOf(await cli(['queue', 'stats', 'jobs-svc', '--json'])).delayed).toBe(0);
    });

    it('purges every list with --yes', async () => {
      const run = jsonOf(await cli(['queue', 'purge', 'jobs-svc', '--yes', '--json']));
      expect(run).toEqual({ service: 'jobs-svc', list: 'all', removed: 3 });
      // Nothing left and never registered: jobs-svc is unknown again.
      expect((await cli(['queue', 'stats', 'jobs-svc'])).code).toBe(ExitCode.NotFound);
    });
  });

  describe('watch', () => {
    it('prints a frame each interval, --count of them (--json: one object a line)', async () => {
      const run = await cli(['watch', '--interval', '300', '--count', '2', '--json']);
      expect(run.code).toBe(ExitCode.Ok);
      const frames = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(frames).toHaveLength(2);
      expect(Date.parse(frames[1].at) - Date.parse(frames[0].at)).toBeGreaterThanOrEqual(250);
      const orders = frames[0].services.find((s: any) => s.serviceName === 'orders-svc');
      expect(orders.instances).toHaveLength(2);
      expect(orders.instances[0]).toMatchObject({
        status: 'up',
        version: '2.1.0',
        rssBytes: expect.any(Number),
      });
      expect(orders.queue).toMatchObject({ received: 0, incomplete: 0 });
    });

    it('stops on Ctrl-C (SIGINT) and exits 0', async () => {
      const { code, stdout } = await cli(['watch', '--interval', '200'], {
        interruptWhen: (out) => out.includes('orders-svc'),
      });
      expect(code).toBe(ExitCode.Ok);
      expect(stdout).toContain('hydra-nest watch');
    });

    it('draws tables, and redraws in place on a terminal', async () => {
      const piped = await cli(['watch', '--count', '1']);
      expect(piped.stdout).toMatch(/SERVICE\s+INSTANCES\s+WAITING\s+IN PROGRESS\s+DEAD\s+DELAYED/);
      expect(piped.stdout).toMatch(/orders-svc\s+2\s+0/);
      expect(piped.stdout).not.toContain('\u001b[');
      const tty = await cli(['watch', '--count', '1'], { tty: true });
      expect(tty.stdout).toContain('\u001b[H\u001b[2J');
    });
  });

  describe('output and errors', () => {
    it('colours on a terminal only, and never with NO_COLOR', async () => {
      expect((await cli(['services'])).stdout).not.toContain('\u001b[');
      const tty = await cli(['services'], { tty: true });
      expect(tty.code).toBe(ExitCode.Ok);
      expect(tty.stdout).toContain('\u001b[1morders-svc\u001b[22m');
      const noColor = await cli(['services'], { tty: true, env: { NO_COLOR: '1' } });
      expect(noColor.stdout).toContain('orders-svc');
      expect(noColor.stdout).not.toContain('\u001b[');
    });

    it('exits 2 at once with one line when Redis is unreachable', async () => {
      const port = await freePort();
      const run = await runCli(['--redis', `redis://127.0.0.1:${port}/15`, 'services']);
      expect(run.code).toBe(ExitCode.RedisUnreachable);
      expect(run.stderr).toMatch(
        new RegExp(`^hydra-nest: Cannot reach Redis at redis://127.0.0.1:${port}/15 [^\\n]*\\n$`),
      );
      expect(run.stderr).toContain('after 1 attempt (connect ECONNREFUSED');
      expect(run.ms).toBeLessThan(10_000); // one attempt, no retry loop (node's own startup included)
    });

    it('reads REDIS_URL when --redis is not given', async () => {
      const run = await runCli(['--json', 'services'], { env: { REDIS_URL: url } });
      expect(run.code).toBe(ExitCode.Ok);
      expect(jsonOf(run).map((s: any) => s.serviceName)).toContain('orders-svc');
    });

    it('exits 1 for usage errors', async () => {
      const both = await runCli(['--redis', url, '--cluster', '127.0.0.1:7000', 'services']);
      expect(both).toMatchObject({
        code: ExitCode.Usage,
        stderr: expect.stringContaining('give one of --redis, --sentinel, --cluster'),
      });
      const badNodes = await runCli(['services'], { env: { REDIS_CLUSTER_NODES: 'nonsense' } });
      expect(badNodes.code).toBe(ExitCode.Usage);
      expect(badNodes.stderr).toContain('REDIS_CLUSTER_NODES has "nonsense"');
      expect((await cli(['bogus'])).code).toBe(ExitCode.Usage);
      expect((await cli(['log'])).code).toBe(ExitCode.Usage);
      expect((await cli(['log', 'orders-svc', '-n', 'x'])).code).toBe(ExitCode.Usage);
      expect((await runCli(['--redis', 'http://nope', 'services'])).code).toBe(ExitCode.Usage);
    });

    it('documents the exit codes in --help', async () => {
      const help = await runCli(['--help']);
      expect(help.code).toBe(ExitCode.Ok);
      expect(help.stdout).toContain('Exit codes:');
      expect(help.stdout).toMatch(/2\s+Redis unreachable/);
    });

    it('runs as the linked `hydra-nest` command through its committed shim', async () => {
      const { stdout } = await execFileAsync(process.execPath, [
        fileURLToPath(new URL('../bin/hydra-nest.js', import.meta.url)),
        '--version',
      ]);
      expect(stdout).toBe(`${CLI_VERSION}\n`);
    });
  });
});
