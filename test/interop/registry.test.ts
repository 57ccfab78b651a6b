import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Hydra, silentLogger, type NodeInfo } from '@hydra-nest/core';
import { useRedis } from '../harness/redis.js';
import { eventually } from '../harness/wait.js';
import { HydraPeer, type HydraNode } from './hydra-peer.js';

// A real Hydra 1.9.3 service and a hydra-nest service on one Redis (db 15): each sees the other through
// its own discovery exactly as it sees its own kind.
describe('registry interop with real Hydra 1.9.3', () => {
  const redis = useRedis();
  let peer: HydraPeer;
  let nest: Hydra;

  beforeAll(async () => {
    peer = await HydraPeer.start({
      redisUrl: redis.urlFor(15),
      serviceName: 'legacy-svc',
      servicePort: 5601,
      serviceVersion: '1.9.0',
      routes: ['[get]/v1/legacy/items'],
    });
    nest = new Hydra({
      serviceName: 'modern-svc',
      serviceIP: '127.0.0.1',
      servicePort: 4300,
      serviceType: 'nest',
      serviceDescription: 'hydra-nest service',
      serviceVersion: '2.0.0',
      routes: ['[get]/v1/modern/items/:id', '[post]/v1/modern/items'],
      logger: silentLogger,
      redis: { url: redis.urlFor(15) },
    });
    await nest.start();
    await nest.flightRecorder.append('info', 'hello from modern');
  });

  afterAll(async () => {
    await nest?.stop();
    await peer?.stop();
  });

  describe('Hydra sees the hydra-nest service as it sees a Hydra one', () => {
    it('getServices lists it with its type', async () => {
      const services = await peer.call<Array<{ serviceName: string; type?: string }>>('getServices');
      expect(services).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ serviceName: 'modern-svc', type: 'nest' }),
          expect.objectContaining({ serviceName: 'legacy-svc' }),
        ]),
      );
    });

    it('getServicePresence returns its node with ip, port and version', async () => {
      const presence = await peer.call<HydraNode[]>('getServicePresence', 'modern-svc');
      expect(presence).toHaveLength(1);
      expect(presence[0]).toMatchObject({
        serviceName: 'modern-svc',
        serviceDescription: 'hydra-nest service',
        instanceID: nest.instanceId,
        version: '2.0.0',
        ip: '127.0.0.1',
        port: '4300',
        processID: process.pid,
      });
      expect(typeof presence[0]!.updatedOnTS).toBe('number');
    });

    it('getServiceNodes lists it with elapsed', async () => {
      const nodes = await peer.call<HydraNode[]>('getServiceNodes');
      const node = nodes.find((n) => n.instanceID === nest.instanceId);
      expect(node).toMatchObject({ serviceName: 'modern-svc', port: '4300' });
      expect(node!.elapsed).toBeLessThanOrEqual(2);
    });

    it('getServiceHealthAll reports its health snapshot, log and presence', async () => {
      const all =
        await peer.call<Array<{ health: any[]; log: any[]; presence: HydraNode[] }>>('getServiceHealthAll');
      const modern = all.find((s) => s.presence.some((p) => p.instanceID === nest.instanceId));
      expect(modern).toBeDefined();
      expect(modern!.health[0]).toMatchObject({
        serviceName: 'modern-svc',
        instanceID: nest.instanceId,
        processID: process.pid,
        nodeVersion: process.version,
      });
      expect(modern!.log.map((e: any) => e.msg)).toContain('hello from modern');
    });

    it('getAllServiceRoutes returns its routes plus Hydra’s defaults', async () => {
      const routes = await peer.call<Record<string, string[]>>('getAllServiceRoutes');
      expect([...routes['modern-svc']!].sort()).toEqual(
        [
          '[get]/modern-svc',
          '[get]/modern-svc/',
          '[get]/modern-svc/:rest',
          '[get]/v1/modern/items/:id',
          '[post]/v1/modern/items',
        ].sort(),
      );
    });

    it('getConfig / listConfig read what ConfigStore put, and ConfigStore reads what putConfig wrote', async () => {
      await nest.configs.put('modern-svc:1.0.0', { pageSize: 50, nested: { on: true } });
      expect(await peer.call('getConfig', 'modern-svc:1.0.0')).toEqual({
        pageSize: 50,
        nested: { on: true },
      });
      await peer.call('putConfig', 'modern-svc:1.1.0', { pageSize: 75 });
      expect(await nest.configs.get('modern-svc:1.1.0')).toEqual({ pageSize: 75 });
      expect(await peer.call('listConfig', 'modern-svc')).toEqual(await nest.configs.list('modern-svc'));
      expect(await nest.configs.list('modern-svc')).toEqual(['modern-svc:1.0.0', 'modern-svc:1.1.0']);
    });
  });

  describe('hydra-nest sees the Hydra service', () => {
    it('Discovery lists the Hydra service and its live instance', async () => {
      const services = await nest.discovery.services();
      expect(services.map((s) => s.serviceName)).toEqual(
        expect.arrayContaining(['legacy-svc', 'modern-svc']),
      );
      const instances = await nest.discovery.instances('legacy-svc');
      expect(instances).toHaveLength(1);
      expect(instances[0]).toMatchObject({
        instanceID: peer.instanceId,
        ip: '127.0.0.1',
        port: '5601',
        version: '1.9.0',
      });
    });

    it('Discovery reads its node, routes and (after Hydra’s first 5 s) health', async () => {
      const nodes: NodeInfo[] = await nest.discovery.nodes();
      expect(nodes.find((n) => n.instanceID === peer.instanceId)).toMatchObject({
        serviceName: 'legacy-svc',
      });
      expect(await nest.routes.routesOf('legacy-svc')).toContain('[get]/v1/legacy/items');
      const health = await eventually(async () => (await nest.discovery.health('legacy-svc'))[0], {
        timeoutMs: 8000,
        what: 'the Hydra peer’s first health snapshot',
      });
      expect(health).toMatchObject({ serviceName: 'legacy-svc', instanceID: peer.instanceId });
    });

    it('the instance cache learns of a Hydra instance leaving within its TTL', async () => {
      const second = await HydraPeer.start({
        redisUrl: redis.urlFor(15),
        serviceName: 'legacy-svc',
        servicePort: 5602,
      });
      await eventually(async () => (await nest.instances.watch('legacy-svc')).length === 2, {
        timeoutMs: 3000,
      });
      await second.stop();
      await eventually(() => nest.instances.peek('legacy-svc')!.length === 1, {
        timeoutMs: 3000,
        what: 'the cache to drop the stopped peer',
      });
    });

    it('the instance cache finds a Hydra instance registering after the watch began, without SCAN', async () => {
      const scans = async () =>
        Number(/cmdstat_scan:calls=(\d+)/.exec(await nest.redis.info('commandstats'))?.[1] ?? 0);
      expect(await nest.instances.watch('late-svc')).toEqual([]);
      const before = await scans();
      const late = await HydraPeer.start({
        redisUrl: redis.urlFor(15),
        serviceName: 'late-svc',
        servicePort: 5603,
      });
      try {
        const [found] = await eventually(
          () => (nest.instances.peek('late-svc')!.length ? nest.instances.peek('late-svc') : undefined),
          {
            timeoutMs: 4000,
            what: 'the cache to find the Hydra instance (its nodes entry is seen within 1 s)',
          },
        );
        expect(found).toMatchObject({ instanceID: late.instanceId, port: '5603', ip: '127.0.0.1' });
        expect(await scans()).toBe(before);
      } finally {
        await late.stop();
      }
    });

    it('ConfigStore and FlightRecorder read what Hydra wrote', async () => {
      await peer.call('putConfig', 'legacy-svc:3.0.0', { mode: 'legacy' });
      expect(await nest.configs.get('legacy-svc:3.0.0')).toEqual({ mode: 'legacy' });
      await peer.call('sendToHealthLog', 'info', 'hello from legacy');
      const log = await nest.flightRecorder.serviceLog('legacy-svc');
      expect(log[0]).toMatchObject({ serviceName: 'legacy-svc', type: 'info', msg: 'hello from legacy' });
    });
  });

  describe('hydra-nest writes the same JSON layouts as Hydra', () => {
    let raw: Redis;
    beforeAll(() => {
      raw = new Redis(redis.urlFor(15));
    });
    afterAll(() => raw?.disconnect());

    it('health snapshot: the same fields in the same order', async () => {
      const theirs = await eventually(
        async () => raw.get(`hydra:service:legacy-svc:${peer.instanceId}:health`),
        { timeoutMs: 8000, what: 'the Hydra peer’s health snapshot' },
      );
      await nest.health.publish();
      const ours = await raw.get(`hydra:service:modern-svc:${nest.instanceId}:health`);
      const [a, b] = [JSON.parse(theirs!), JSON.parse(ours!)];
      expect(Object.keys(b)).toEqual(Object.keys(a));
      expect(Object.keys(b.memory).sort()).toEqual(Object.keys(a.memory).sort());
      expect(await raw.ttl(`hydra:service:modern-svc:${nest.instanceId}:health`)).toBe(3);
    });

    it('flight-recorder entry: the same fields in the same order', async () => {
      await peer.call('sendToHealthLog', 'info', { n: 1 });
      await nest.flightRecorder.append('info', { n: 1 });
      const [theirs] = await raw.lrange(`hydra:service:legacy-svc:${peer.instanceId}:health:log`, 0, 0);
      const [ours] = await raw.lrange(`hydra:service:modern-svc:${nest.instanceId}:health:log`, 0, 0);
      const [a, b] = [JSON.parse(theirs!), JSON.parse(ours!)];
      expect(Object.keys(b)).toEqual(Object.keys(a));
      expect(b.msg).toEqual(a.msg);
    });

    it('hydra-router refresh broadcast: the same fields in the same order', async () => {
      // A hydra-router instance as Hydra sees one: presence key and nodes entry (Hydra checks both).
      const routerId = '0123456789abcdef0123456789abcdef';
      await raw
        .multi()
        .setex(`hydra:service:hydra-router:${routerId}:presence`, 5, routerId)
        .hset(
          'hydra:service:nodes',
          routerId,
          JSON.stringify({
            serviceName: 'hydra-router',
            instanceID: routerId,
            updatedOn: new Date().toISOString(),
          }),
        )
        .exec();
      const listener = raw.duplicate();
      const received: Array<Record<string, unknown>> = [];
      listener.on('message', (_channel, message) => received.push(JSON.parse(message)));
      await listener.subscribe('hydra:service:mc:hydra-router');
      await peer.call('registerRoutes', ['[get]/v1/legacy/items']);
      await nest.registerRoutes(['[get]/v1/modern/items/:id', '[post]/v1/modern/items']);
      await eventually(() => received.length === 2, {
        timeoutMs: 2000,
        what: 'both refresh broadcasts',
      });
      listener.disconnect();
      const theirs = received.find((m) => m.frm === 'legacy-svc:/')!;
      const ours = received.find((m) => m.frm === 'modern-svc:/')!;
      expect(Object.keys(ours)).toEqual(Object.keys(theirs));
      expect(ours.to).toBe(theirs.to);
      expect(ours.ver).toBe(theirs.ver);
      expect(ours.bdy).toEqual({ action: 'refresh', serviceName: 'modern-svc' });
      expect(theirs.bdy).toEqual({ action: 'refresh', serviceName: 'legacy-svc' });
      await raw
        .multi()
        .del(`hydra:service:hydra-router:${routerId}:presence`)
        .hdel('hydra:service:nodes', routerId)
        .exec();
    });
  });
});
