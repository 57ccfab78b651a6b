import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Hydra, WorkQueue } from '@hydra-nest/core';
import { useTopology } from '../../../test/harness/topology.js';
import { eventually, sleep } from '../../../test/harness/wait.js';
import { createDashboard, DashboardOptionsError, type Dashboard, type DashboardState } from '../src/index.js';
import { Instances, startReader, openFeed, serveDashboard, type FeedClient } from './dashboard-support.js';

const topology = useTopology();
const instances = new Instances(topology);
let reader: Hydra;
let dashboard: Dashboard;
let server: Awaited<ReturnType<typeof serveDashboard>>;

const unique = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  reader = await startReader(topology);
  dashboard = createDashboard(reader, { intervalMs: 200 });
  server = await serveDashboard(dashboard);
});

afterAll(async () => {
  await dashboard?.close();
  await server?.close();
  await instances.stopAll();
  await reader?.stop();
});

async function state(): Promise<DashboardState> {
  const res = await fetch(`${server.url}/dashboard/state.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as DashboardState;
}

async function serviceIn(name: string) {
  return (await state()).services.find((s) => s.name === name);
}

describe('dashboard requests', () => {
  it('answers only under its base path: the page, its files, 404 for the rest and 405 for other methods', async () => {
    for (const path of ['/', '/v1/users', '/dashboardx', '/dash']) {
      const res = await fetch(server.url + path);
      expect(await res.text(), path).toBe('not the dashboard'); // handle() resolved false
    }
    for (const path of ['/dashboard', '/dashboard/']) {
      const res = await fetch(server.url + path);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toContain('href="/dashboard/dashboard.css"');
      expect(html).toContain('src="/dashboard/dashboard.js"');
      expect(html).not.toContain('{{');
    }
    const script = await fetch(`${server.url}/dashboard/dashboard.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toContain('EventSource');
    const css = await fetch(`${server.url}/dashboard/dashboard.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    const missing = await fetch(`${server.url}/dashboard/missing.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toContain('/dashboard');
    const post = await fetch(`${server.url}/dashboard/state.json`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('serves under another base path and refuses options it cannot use, naming them', async () => {
    const other = createDashboard(reader, { basePath: '/ops/board/', title: 'Shop <ops>' });
    const otherServer = await serveDashboard(other);
    try {
      const html = await (await fetch(`${otherServer.url}/ops/board`)).text();
      expect(html).toContain('src="/ops/board/dashboard.js"');
      expect(html).toContain('Shop &#60;ops&#62;');
      expect(await (await fetch(`${otherServer.url}/dashboard`)).text()).toBe('not the dashboard');
    } finally {
      await other.close();
      await otherServer.close();
    }
    expect(() => createDashboard(reader, { basePath: 'board' })).toThrow(DashboardOptionsError);
    expect(() => createDashboard(reader, { intervalMs: 0 })).toThrow(/intervalMs/);
  });
});

describe('dashboard state', () => {
  it('shows each instance (address, version, uptime, health, last seen), its routes, queue and flight recorder', async () => {
    const service = unique('dash-users');
    const users = await instances.start({
      serviceName: service,
      servicePort: 4100,
      serviceVersion: '1.4.2',
      routes: ['[get]/v1/users/:id', '[post]/v1/users'],
    });
    await users.flightRecorder.append('error', 'payment gateway timed out');
    const queue = new WorkQueue(users);
    for (let i = 0; i < 3; i++) await queue.queueMessage({ to: `${service}:/`, frm: 'test:/', bdy: { i } });

    const view = await eventually(
      async () => {
        const found = await serviceIn(service);
        return found?.instances[0]?.health === 'up' && found.log.length > 0 ? found : undefined;
      },
      { what: `${service} on the dashboard` },
    ).catch(async () => serviceIn(service));
    expect(view).toBeDefined();
    const [instance] = view!.instances;
    expect(instance).toMatchObject({
      id: users.instanceId,
      ip: '127.0.0.1',
      port: '4100',
      version: '1.4.2',
      status: 'up',
      health: 'up',
    });
    // The instance runs in this process: its start is this process's start (to the health write's second).
    const processStart = Date.now() - process.uptime() * 1000;
    expect(Math.abs(instance!.startedAt! - processStart)).toBeLessThan(3000);
    expect(Date.now() - instance!.lastSeenAt).toBeLessThan(5000);
    expect(view!.routes).toEqual(
      expect.arrayContaining(['[get]/v1/users/:id', '[post]/v1/users', `[get]/${service}`]),
    );
    expect(view!.queue).toMatchObject({ queued: 3, inProgress: 0, incomplete: 0, delayed: 0 });
    const all = await state();
    expect(all.log).toContainEqual(
      expect.objectContaining({
        service,
        instanceId: users.instanceId,
        type: 'error',
        msg: 'payment gateway timed out',
      }),
    );
    // A later entry in a list already read shows too, newest first.
    await users.flightRecorder.append('info', { retried: 'payment', ok: true });
    const newest = await eventually(
      async () => (await state()).log.find((entry) => entry.service === service && entry.type === 'info'),
      { what: 'the later entry' },
    );
    expect(newest.msg).toBe('{"retried":"payment","ok":true}');
    const own = (await state()).log.filter((entry) => entry.service === service);
    expect(own.map((entry) => entry.type)).toEqual(['info', 'error']);
  });

  it('marks an instance that stops answering and one that stopped, instead of dropping them', async () => {
    const service = unique('dash-orders');
    const staying = await instances.start({ serviceName: service, servicePort: 4200 });
    const leaving = await instances.start({ serviceName: service, servicePort: 4201 });
    // What a crashed instance leaves behind: its nodes entry, with a presence key that expired.
    const crashedId = randomBytes(16).toString('hex');
    const node = { ...staying.presence.nodeEntry(), instanceID: crashedId, port: 4202 };
    await topology.client().hset(topology.keys.nodesOf(service), crashedId, JSON.stringify(node));
    await eventually(async () => (await serviceIn(service))?.instances.length === 3, {
      what: 'three instances',
    });
    await leaving.stop();

    const statusOf = async () =>
      Object.fromEntries((await serviceIn(service))!.instances.map((i) => [i.id, i.status]));
    // The dashboard notices a stop at its next read: only a live feed polls, so read twice.
    await eventually(async () => (await statusOf())[leaving.instanceId] === 'stopped', {
      what: 'the stopped instance marked',
    });
    expect(await statusOf()).toEqual({
      [staying.instanceId]: 'up',
      [crashedId]: 'not-answering',
      [leaving.instanceId]: 'stopped',
    });
    const shown = (await serviceIn(service))!.instances;
    expect(shown.map((i) => i.status)).toEqual(['up', 'not-answering', 'stopped']); // answering ones first
    expect(shown[1]!.health).toBe('unknown');
  });

  it('reads Redis without SCAN or KEYS', async () => {
    await instances.start({ serviceName: unique('dash-scan') });
    const counts = () =>
      Promise.all(['hgetall', 'scan', 'keys'].map((command) => topology.commandCalls(command)));
    const before = await counts();
    await fetch(`${server.url}/dashboard/state.json`).then((r) => r.json());
    const [hgetall, scan, keys] = (await counts()).map((n, i) => n - before[i]!);
    expect(hgetall).toBeGreaterThanOrEqual(1); // the read happened
    expect(scan).toBe(0);
    expect(keys).toBe(0);
  });
});

describe('dashboard live feed', () => {
  it('shares one poll loop among viewers, sends the state then patches, and stops when nobody watches', async () => {
    expect(dashboard.polling).toBe(false);
    const feeds: FeedClient[] = [];
    try {
      for (let i = 0; i < 3; i++) feeds.push(await openFeed(`${server.url}/dashboard/events`));
      const first = await Promise.all(feeds.map((feed) => feed.next('state')));
      for (const { data } of first) expect(Array.isArray(data.services)).toBe(true);
      const patch = await feeds[0]!.next('patch');
      expect(patch.data.at).toBeGreaterThan(first[0]!.data.at);
      expect(dashboard.viewers).toBe(3);
      expect(dashboard.polling).toBe(true);

      const { keys } = topology;
      // Each read starts with one command: HGETALL of Hydra's nodes hash, or the service index's SMEMBERS.
      const startsARead = ([name, key]: string[]) =>
        keys.nodesPerService
          ? name === 'smembers' && key === keys.serviceIndex()
          : name === 'hgetall' && key === keys.nodes();
      const reads = (await topology.monitor(() => sleep(2000))).filter(startsARead).length;
      // One loop at 200 ms makes about 10 reads in 2 s; one per viewer would make about 30.
      expect(reads).toBeGreaterThanOrEqual(3);
      expect(reads).toBeLessThanOrEqual(16);
    } finally {
      for (const feed of feeds) feed.close();
    }
    await eventually(() => dashboard.viewers === 0 && !dashboard.polling, { what: 'the loop to stop' });
    const idle = await topology.commandCalls('hgetall');
    await sleep(1000);
    expect((await topology.commandCalls('hgetall')) - idle).toBe(0);
  });

  it('pushes changes as they happen: a new service, queue rates and message rates', async () => {
    const service = unique('dash-mail');
    const feed = await openFeed(`${server.url}/dashboard/events`);
    try {
      await feed.next('state');
      const mail = await instances.start({ serviceName: service });
      const sender = await instances.start({ serviceName: unique('dash-sender') });
      const queue = new WorkQueue(sender);
      const upserted = async (check: (s: DashboardState['services'][number]) => boolean, what: string) => {
        for (;;) {
          const { data } = await feed.next('patch', 8000).catch(() => {
            throw new Error(`no patch showed ${what}`);
          });
          const found = (data.upsert as DashboardState['services']).find((s) => s.name === service);
          if (found && check(found)) return found;
        }
      };
      await upserted((s) => s.instances.some((i) => i.id === mail.instanceId), 'the new instance');

      let sending = true;
      const traffic = (async () => {
        while (sending) {
          await queue.queueMessage({ to: `${service}:/`, frm: 'test:/', bdy: { n: 1 } });
          await sender.messaging.sendMessage({ to: `${service}:/`, frm: 'test:/', bdy: { n: 1 } });
          await sleep(20);
        }
      })();
      try {
        const filling = await upserted((s) => s.queue.queuedPerSec > 0, 'the queue filling');
        expect(filling.queue.queued).toBeGreaterThan(0);
        if (topology.isCluster) {
          expect(filling.messagesPerSec).toBe(0); // sharded channels take no pattern subscription
        } else {
          await upserted((s) => s.messagesPerSec > 0, 'messages per second');
        }
      } finally {
        sending = false;
        await traffic;
      }
      await new WorkQueue(reader).purge(service, 'received');
      await upserted((s) => s.queue.queued === 0 && s.queue.queuedPerSec < 0, 'the queue draining');
    } finally {
      feed.close();
    }
  });
});
