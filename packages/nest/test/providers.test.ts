import 'reflect-metadata';
import { Controller, Get, Injectable, Module, Param, type Type } from '@nestjs/common';
import { silentLogger, type Hydra } from '@hydra-nest/core';
import { afterEach, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import {
  DiscoveryService,
  FlightRecorderService,
  HealthService,
  HYDRA,
  HydraConfigStore,
  HydraModule,
  PresenceService,
  Route,
  type HydraModuleOptions,
} from '../src/index.js';
import { baseUrl, Opened, serviceName } from './support.js';

@Injectable()
class Greeter {
  greet(name: string): string {
    return `hello, ${name}`;
  }
}

/** Constructor injection by type only: works only if SWC emitted `design:paramtypes`. */
@Controller('v1/greet')
class GreetController {
  constructor(
    private readonly greeter: Greeter,
    private readonly recorder: FlightRecorderService,
    private readonly presence: PresenceService,
  ) {}

  @Get(':name')
  @Route()
  async greet(@Param('name') name: string) {
    await this.recorder.info(`greeted ${name}`);
    return { greeting: this.greeter.greet(name), instance: this.presence.instanceId };
  }
}

describe('injectable Hydra providers', () => {
  const server = useRedis();
  const opened = new Opened();
  afterEach(() => opened.closeAll());

  function appModule(options: Partial<HydraModuleOptions> = {}): Type {
    @Module({
      imports: [
        HydraModule.forRoot({
          serviceName: serviceName('providers-svc'),
          serviceIP: '127.0.0.1',
          logger: silentLogger,
          redis: { url: server.urlFor(15) },
          ...options,
        }),
      ],
      controllers: [GreetController],
      providers: [Greeter],
    })
    class AppModule {}
    return AppModule;
  }

  it('serves a decorated handler whose dependencies are injected by type, and records to the flight recorder', async () => {
    expect(Reflect.getMetadata('design:paramtypes', GreetController)).toEqual([
      Greeter,
      FlightRecorderService,
      PresenceService,
    ]);
    const app = await opened.app(appModule({ servicePort: 4500 }));
    await app.listen(0, '127.0.0.1');
    const hydra = app.get<Hydra>(HYDRA);

    const response = await fetch(`${baseUrl(app)}/v1/greet/ada`);
    expect(await response.json()).toEqual({ greeting: 'hello, ada', instance: hydra.instanceId });

    const recorder = app.get(FlightRecorderService);
    await recorder.append('debug', { detail: 42 });
    const latest = await recorder.latest(2);
    expect(latest.map((e: any) => [e.type, e.msg])).toEqual([
      ['debug', { detail: 42 }],
      ['info', 'greeted ada'],
    ]);
    const raw = await opened
      .redis(server.urlFor(15))
      .lrange(`hydra:service:${hydra.serviceName}:${hydra.instanceId}:health:log`, 0, -1);
    expect(raw).toHaveLength(2);
    expect(JSON.parse(raw[1]!)).toMatchObject({
      serviceName: hydra.serviceName,
      type: 'info',
      msg: 'greeted ada',
    });
  });

  it('stores, lists, reads and removes configs', async () => {
    const app = await opened.app(appModule({ servicePort: 4501 }));
    await app.init();
    const configs = app.get(HydraConfigStore);
    const svc = app.get<Hydra>(HYDRA).serviceName;

    await configs.put(`${svc}:1.0.0`, { pageSize: 20 });
    await configs.put(`${svc}:1.0.1`, { pageSize: 50 });
    expect(await configs.get<{ pageSize: number }>(`${svc}:1.0.1`)).toEqual({ pageSize: 50 });
    expect(await configs.list(svc)).toEqual([`${svc}:1.0.0`, `${svc}:1.0.1`]);
    expect(await opened.redis(server.urlFor(15)).hget(`hydra:service:${svc}:configs`, '1.0.0')).toBe(
      '{"pageSize":20}',
    );

    await configs.remove(`${svc}:1.0.0`);
    expect(await configs.get(`${svc}:1.0.0`)).toBeNull();
    expect(await configs.list(svc)).toEqual([`${svc}:1.0.1`]);
  });

  it('discovers a second application: its service, instance, node, routes and health', async () => {
    const caller = await opened.app(appModule({ servicePort: 4502 }));
    const calleeName = serviceName('callee-svc');
    const callee = await opened.app(appModule({ serviceName: calleeName, servicePort: 4503 }));
    await caller.init();
    await callee.init();
    const calleeId = callee.get<Hydra>(HYDRA).instanceId;
    const discovery = caller.get(DiscoveryService);
    const presence = caller.get(PresenceService);

    expect((await discovery.services()).map((s: any) => s.serviceName)).toContain(calleeName);
    expect(await presence.isPresent(calleeName)).toBe(true);
    const instances = await discovery.instances(calleeName);
    expect(instances.map((i: any) => i.instanceID)).toEqual([calleeId]);
    expect((await presence.instances(calleeName)).map((i: any) => i.instanceID)).toEqual([calleeId]);
    expect((await discovery.nodes()).map((n: any) => n.instanceID)).toContain(calleeId);
    expect(await discovery.routes(calleeName)).toContain('[get]/v1/greet/:name');
    expect((await discovery.allRoutes())[calleeName]).toContain('[get]/v1/greet/:name');

    discovery.watch(calleeName);
    const picked: any = await discovery.pick(calleeName);
    expect(picked.instanceID).toBe(calleeId);

    await callee.get<Hydra>(HYDRA).health.publish();
    const health = await discovery.health(calleeName);
    expect(health.map((h: any) => h.instanceID)).toEqual([calleeId]);
    expect(Object.keys(await discovery.healthAll())).toContain(calleeName);
  });

  it('reports health checks in the snapshot and reads other services’ health', async () => {
    const app = await opened.app(appModule({ servicePort: 4504 }));
    await app.init();
    const health = app.get(HealthService);
    health.addCheck('cache', () => ({ status: 'degraded', details: { hitRate: 0.2 } }));
    const snapshot = await health.snapshot();
    expect(snapshot.status).toBe('degraded');
    expect(snapshot.checks).toEqual({ cache: { status: 'degraded', details: { hitRate: 0.2 } } });
    health.removeCheck('cache');
    expect((await health.snapshot()).checks).toBeUndefined();

    const hydra = app.get<Hydra>(HYDRA);
    await hydra.health.publish();
    expect((await health.health(hydra.serviceName)).map((h: any) => h.instanceID)).toEqual([
      hydra.instanceId,
    ]);
  });

  it('publishes the HTTP port the application listens on when servicePort is not configured', async () => {
    const app = await opened.app(appModule());
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as { port: number }).port;
    const hydra = app.get<Hydra>(HYDRA);

    expect(app.get(PresenceService).nodeEntry().port).toBe(port);
    const redis = opened.redis(server.urlFor(15));
    await eventually(
      async () => JSON.parse((await redis.hget('hydra:service:nodes', hydra.instanceId))!).port === port,
      { what: `node entry with port ${port}` },
    );
  });
});
