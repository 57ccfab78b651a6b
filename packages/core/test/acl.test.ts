import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UmfMessage } from '@hydra-nest/umf';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually, sleep } from '../../../test/harness/wait.js';
import { Hydra, type HydraOptions } from '../src/hydra.js';
import { silentLogger } from '../src/logger.js';
import { QueueCommands } from '../src/queue/queue-commands.js';
import { QueueConsumer } from '../src/queue/queue-consumer.js';
import type { QueueJob } from '../src/queue/queue-job.js';
import { WorkQueue } from '../src/queue/work-queue.js';
import { HydraError, RedisPermissionError, RedisUnavailableError } from '../src/errors.js';
import { hydraAclRules, hydraAclSetUser } from '../src/redis-acl.js';

// hydra-nest against a Redis that enforces ACL: a user with exactly the README's rule (the hydra key
// prefix, its channels, the commands hydra-nest runs) does everything, and Redis refuses it nothing.

const USER = 'hydra';
const PASSWORD = 'secret';
const server = useRedis({ users: [{ name: USER, password: PASSWORD, rules: hydraAclRules() }] });
const started: Hydra[] = [];
const consumers: QueueConsumer[] = [];
let admin: Redis;

beforeAll(async () => {
  admin = new Redis(server.urlFor(15)); // the default user: every right, to read the ACL log
  await admin.call('ACL', 'LOG', 'RESET');
});

afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.stop(100)));
  await Promise.all(started.splice(0).map((h) => h.stop()));
});

afterAll(() => admin.disconnect());

/** A Hydra instance of `serviceName` (not started) that logs in as `user`. */
function instance(serviceName: string, user = USER, options: Partial<HydraOptions> = {}): Hydra {
  const hydra = new Hydra({
    serviceName,
    serviceIP: '127.0.0.1',
    servicePort: 4100,
    logger: silentLogger,
    redis: { url: server.userUrl(user, PASSWORD, 15), startupAttempts: 1 },
    ...options,
  });
  started.push(hydra);
  return hydra;
}

/** Makes the ACL user `name` with the README rule, changed by `change`. */
async function userWith(name: string, change: (rules: string[]) => string[]): Promise<string> {
  await server.setUser(name, PASSWORD, change(hydraAclRules()));
  return name;
}

const without =
  (...dropped: string[]) =>
  (rules: string[]) =>
    rules.filter((rule) => !dropped.includes(rule));

async function node(serviceName: string, options: Partial<HydraOptions> = {}): Promise<Hydra> {
  const hydra = new Hydra({
    serviceName,
    serviceIP: '127.0.0.1',
    servicePort: 4100,
    logger: silentLogger,
    redis: { url: server.userUrl(USER, PASSWORD, 15) },
    ...options,
  });
  started.push(hydra);
  await hydra.start();
  return hydra;
}

async function consume(hydra: Hydra, handler: (job: QueueJob) => unknown, options = {}) {
  const consumer = new QueueConsumer(hydra, { leaseMs: 300, reclaimIntervalMs: 50, ...options }, handler);
  consumers.push(consumer);
  await consumer.start();
  return consumer;
}

/** The ACL log's entries, as objects (`reason`, `object`, `username`, ...). */
async function aclLog(): Promise<Array<Record<string, string>>> {
  const entries = (await admin.call('ACL', 'LOG', '128')) as unknown[][];
  return entries.map((flat) => {
    const entry: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) entry[String(flat[i])] = String(flat[i + 1]);
    return entry;
  });
}

describe('a Redis ACL user with the README rule', () => {
  it('is the rule the README gives', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(hydraAclSetUser(USER, PASSWORD));
  });

  it('registers two instances that discover each other and read and write the whole registry', async () => {
    const users = await node('acl-users-svc', { routes: ['[get]/v1/users/:id'] });
    const billing = await node('acl-billing-svc');
    await eventually(async () => (await users.discovery.instances('acl-billing-svc')).length === 1);
    expect((await billing.discovery.instances('acl-users-svc'))[0]?.instanceID).toBe(users.instanceId);
    const services = (await users.discovery.services()).map((s) => s.serviceName);
    expect(services).toEqual(expect.arrayContaining(['acl-users-svc', 'acl-billing-svc']));
    expect((await users.discovery.nodes()).map((n) => n.instanceID)).toContain(billing.instanceId);
    expect((await users.discovery.node(billing.instanceId))?.serviceName).toBe('acl-billing-svc');
    await eventually(async () => (await users.discovery.health('acl-billing-svc')).length === 1);
    expect(await billing.routes.routesOf('acl-users-svc')).toContain('[get]/v1/users/:id');
    expect(Object.keys(await billing.routes.allRoutes())).toContain('acl-users-svc');

    await users.configs.put('acl-users-svc:1.0.0', { pageSize: 50 });
    expect(await billing.configs.get('acl-users-svc:1.0.0')).toEqual({ pageSize: 50 });
    expect(await billing.configs.list('acl-users-svc')).toEqual(['acl-users-svc:1.0.0']);
    expect(await billing.configs.remove('acl-users-svc:1.0.0')).toBe(true);

    expect(await users.flightRecorder.append('error', { reason: 'test' })).toBe(true);
    expect((await users.flightRecorder.latest(1))[0]?.msg).toEqual({ reason: 'test' });
    expect(await billing.flightRecorder.serviceLog('acl-users-svc')).toHaveLength(1);
    const report = await billing.discovery.healthAll();
    expect(report['acl-users-svc']?.presence).toHaveLength(1);
    expect(await users.discovery.removeStaleNodes(3600)).toBe(0);
    await users.presence.refresh();
  });

  it('sends requests and replies, one-way messages and broadcasts', async () => {
    const echo = await node('acl-echo-svc');
    const events: UmfMessage[] = [];
    echo.messaging.setHandler((message) => {
      if (message.typ === 'ping')
        void echo.messaging.sendReplyMessage(message, { bdy: { echo: message.bdy } });
      else events.push(message);
    });
    const client = await node('acl-client-svc');
    const reply = await client.messaging.request({ to: 'acl-echo-svc:/', typ: 'ping', bdy: { n: 1 } });
    expect(reply.bdy).toEqual({ echo: { n: 1 } });
    await client.messaging.sendMessage({ to: 'acl-echo-svc:/', frm: 'acl-client-svc:/', bdy: { one: 1 } });
    await client.messaging.sendBroadcastMessage({
      to: 'acl-echo-svc:/',
      frm: 'acl-client-svc:/',
      typ: 'flush',
      bdy: { all: true },
    });
    await eventually(() => events.length === 2, { what: 'the message and the broadcast' });
  });

  it('queues, takes, completes, fails, delays, retries, requeues and purges work', async () => {
    const producer = await node('acl-producer-svc');
    const worker = await node('acl-worker-svc');
    const queue = new WorkQueue(producer);
    const own = new WorkQueue(worker);
    const to = 'acl-worker-svc:/';

    // Hydra's verbs: take without a lease, then mark completed or incomplete.
    await queue.queueMessage({ to, frm: 'acl-producer-svc:/', bdy: { n: 1 } });
    await queue.queueMessage({ to, frm: 'acl-producer-svc:/', bdy: { n: 2 } });
    await own.markQueueMessage((await own.getQueuedMessage('acl-worker-svc'))!, true);
    await own.markQueueMessage((await own.getQueuedMessage('acl-worker-svc'))!, false, 'no');
    expect(await queue.depths('acl-worker-svc')).toMatchObject({ inProgress: 0, incomplete: 1 });
    expect(await queue.peek('acl-worker-svc', 'incomplete')).toHaveLength(1);
    expect(await queue.requeueIncomplete('acl-worker-svc')).toBe(1);

    // Leased consumption: a retry with backoff, a delayed message, a slow handler whose lease is renewed.
    const seen: Array<{ n: unknown; attempt: number }> = [];
    await queue.queueMessage({ to, frm: 'acl-producer-svc:/', bdy: { n: 3 } });
    await queue.queueMessage({ to, frm: 'acl-producer-svc:/', bdy: { n: 4 } }, { delayMs: 100 });
    await queue.queueMessage(
      { to, frm: 'acl-producer-svc:/', bdy: { n: 5 } },
      { notBefore: Date.now() + 50 },
    );
    const consumer = await consume(
      worker,
      async (job) => {
        const { n } = job.payload as { n: number };
        seen.push({ n, attempt: job.attempt });
        if (n === 3 && job.attempt === 1) throw new Error('once');
        if (n === 5) await sleep(500); // longer than the lease: renewed meanwhile
      },
      { backoff: { delayMs: 50 }, maxAttempts: 3 },
    );
    await eventually(() => consumer.stats.completed === 4, { what: '4 completions', timeoutMs: 5000 });
    expect(seen.filter((s) => s.n === 3).map((s) => s.attempt)).toEqual([1, 2]);
    expect(seen.filter((s) => s.n === 5)).toHaveLength(1);
    await consumer.stop();

    // Lease recovery: a worker takes a message and "dies"; the reaper of another one returns it.
    await queue.queueMessage({ to, frm: 'acl-producer-svc:/', bdy: { n: 6 } });
    const {
      taken: [taken],
    } = await new QueueCommands(worker.redis, worker.keys, 'acl-worker-svc').settleAndTake([], 1, 100);
    expect(taken?.attempt).toBe(1);
    // And a message a Hydra 1.x worker took (no lease) and never marked.
    await queue.queueMessage({ to, frm: 'acl-producer-svc:/', bdy: { n: 7 } });
    await own.getQueuedMessage('acl-worker-svc');
    const again: QueueJob[] = [];
    const recovering = await consume(worker, (job) => void again.push(job), {
      reclaimUnleased: { afterMs: 100 },
    });
    await eventually(() => again.length === 2, { what: 'both messages back', timeoutMs: 5000 });
    expect(again.find((j) => (j.payload as { n: number }).n === 6)?.attempt).toBe(2);
    await recovering.stop();

    // What no worker may run: an entry over queue.maxMessageBytes, one that is not UTF-8, one not UMF.
    const oversized = JSON.stringify({ to, frm: 'x:/', bdy: { blob: 'x'.repeat(2000) } });
    await admin.lpush(
      'hydra:service:acl-worker-svc:mqrecieved',
      oversized,
      Buffer.from([0x7b, 0xff]),
      'null',
    );
    const rejecting = await consume(worker, () => undefined, { maxMessageBytes: 1000 });
    await eventually(() => rejecting.stats.rejected === 3, { what: '3 entries rejected', timeoutMs: 5000 });
    expect(await queue.depths('acl-worker-svc')).toMatchObject({ received: 0, inProgress: 0, incomplete: 3 });

    await queue.queueMessage({ to, frm: 'acl-producer-svc:/', bdy: { n: 8 } }, { delayMs: 60_000 });
    expect(await queue.peek('acl-worker-svc', 'delayed')).toHaveLength(1);
    expect(await queue.purge('acl-worker-svc', 'all')).toBeGreaterThanOrEqual(1);
  });

  it('works under a prefix of its own with the rule made for that prefix', async () => {
    await server.setUser('acme', PASSWORD, hydraAclRules({ prefix: 'acme' }));
    const options = { keyspace: { prefix: 'acme' }, redis: { url: server.userUrl('acme', PASSWORD, 15) } };
    const a = await node('acl-acme-a-svc', options);
    const b = await node('acl-acme-b-svc', options);
    b.messaging.setHandler((m) => void b.messaging.sendReplyMessage(m, { bdy: { ok: true } }));
    expect((await a.messaging.request({ to: 'acl-acme-b-svc:/', bdy: {} })).bdy).toEqual({ ok: true });
    expect(await admin.exists(`acme:acl-acme-a-svc:${a.instanceId}:presence`)).toBe(1);
  });

  it('was refused nothing by Redis along the way', async () => {
    // ioredis 5.5+ sends CLIENT SETINFO, which Redis 7.2+ refuses and logs; ioredis ignores the refusal.
    const refused = (await aclLog()).filter(
      (entry) => [USER, 'acme'].includes(entry.username!) && entry.object !== 'client|setinfo',
    );
    expect(refused).toEqual([]);
  });
});

describe('a Redis ACL user with fewer rights', () => {
  it('cannot start without +publish, and is told so with what to grant', async () => {
    const user = await userWith('no-publish', without('+publish'));
    const hydra = instance('acl-nopub-svc', user);
    const error = await hydra.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisPermissionError);
    expect(error).toBeInstanceOf(HydraError);
    expect(error).toMatchObject({ user, command: 'publish', missing: 'command', grant: '+publish' });
    expect((error as Error).message).toMatch(
      /^Redis user "no-publish" may not run PUBLISH \(Redis said: NOPERM .*\)\. Grant it: ACL SETUSER no-publish \+publish\. .*README's "Redis ACL" line/,
    );
    expect(hydra.state).toBe('stopped'); // no timer or connection left behind
  });

  it('cannot subscribe without the hydra channels, and is told which', async () => {
    const user = await userWith('no-channels', (rules) => [
      '&other:*',
      ...without('&hydra:service:*')(rules),
    ]);
    const error = await instance('acl-nochan-svc', user)
      .start()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ command: 'subscribe', missing: 'channel', grant: '&hydra:service:*' });
    expect((error as RedisPermissionError).names).toContain('hydra:service:mc:acl-nochan-svc');
    expect((error as Error).message).toContain('may not use the channels of SUBSCRIBE (hydra:service:');
    expect((error as Error).message).toContain('ACL SETUSER no-channels &hydra:service:*');
  });

  it('cannot register without the hydra keys, and is told which key and prefix', async () => {
    const user = await userWith('no-keys', (rules) => ['~other:*', ...without('~hydra:service:*')(rules)]);
    const error = await instance('acl-nokeys-svc', user)
      .start()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ command: 'set', missing: 'key', grant: '~hydra:service:*' });
    expect((error as Error).message).toContain(
      'may not use the keys of SET (hydra:service:acl-nokeys-svc:service)',
    );
  });

  it('names the rule of its own prefix', async () => {
    const hydra = instance('acl-prefix-svc', USER, { keyspace: { prefix: 'acme2' } });
    const error = await hydra.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ missing: 'channel', grant: '&acme2:*' });
  });

  it('cannot select the db without +select, instead of running in db 0', async () => {
    const user = await userWith('no-select', without('+select'));
    const error = await instance('acl-nosel-svc', user)
      .start()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ user, command: 'select', grant: '+select' });
  });

  it('is told what to check when its password is wrong', async () => {
    const hydra = new Hydra({
      serviceName: 'acl-wrongpass-svc',
      logger: silentLogger,
      redis: { url: server.userUrl(USER, 'wrong', 15), startupAttempts: 1 },
    });
    const error = await hydra.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisUnavailableError);
    expect((error as Error).message).toMatch(/WRONGPASS.*check the user name and password/);
  });

  it('gets the missing permission named by discovery, the queue API and the consumer', async () => {
    const user = await userWith('no-queue', without('+scan', '+lpush', '+time'));
    const warnings: string[] = [];
    const logger = {
      ...silentLogger,
      error: (m: string) => warnings.push(m),
      warn: (m: string) => warnings.push(m),
    };
    const hydra = instance('acl-noqueue-svc', user, { logger });
    await hydra.start();

    await expect(hydra.discovery.services()).rejects.toMatchObject({ command: 'scan', grant: '+scan' });
    const queue = new WorkQueue(hydra);
    const message = { to: 'acl-noqueue-svc:/', frm: 'acl-noqueue-svc:/', bdy: { n: 1 } };
    await expect(queue.queueMessage(message)).rejects.toMatchObject({ command: 'lpush', grant: '+lpush' });
    // TIME, refused inside a Lua script: Redis 7.0 does not say which command, so every one is named.
    const inScript = await queue.queueMessage(message, { delayMs: 1000 }).catch((e: unknown) => e);
    expect(inScript).toBeInstanceOf(RedisPermissionError);
    expect((inScript as RedisPermissionError).grant).toContain('+time');
    expect((inScript as Error).message).toMatch(/may not run (TIME|a command of the Lua script that EVAL)/);

    await consume(hydra, () => undefined);
    await eventually(() => warnings.some((w) => w.startsWith('queue acl-noqueue-svc:')), { what: 'the log' });
    expect(warnings.find((w) => w.startsWith('queue acl-noqueue-svc:'))).toMatch(
      /^queue acl-noqueue-svc: Redis user "no-queue" may not run .*ACL SETUSER no-queue .*\+time.* Retrying until it is granted\.$/,
    );
  });
});
