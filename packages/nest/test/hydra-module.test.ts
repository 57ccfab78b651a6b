import 'reflect-metadata';
import { Injectable, Logger, Module, type Type } from '@nestjs/common';
import { silentLogger, type Hydra } from '@hydra-nest/core';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, useRedis } from '../../../test/harness/redis.js';
import {
  HYDRA,
  HydraModule,
  InjectHydra,
  PresenceService,
  type HydraModuleForRootOptions,
} from '../src/index.js';
import { Opened, serviceName } from './support.js';

describe('HydraModule', () => {
  const server = useRedis();
  const opened = new Opened();
  afterEach(() => opened.closeAll());

  function appModule(options: Partial<HydraModuleForRootOptions>, imports: Type[] = []): Type {
    @Module({
      imports: [
        HydraModule.forRoot({
          serviceName: serviceName('module-svc'),
          serviceIP: '127.0.0.1',
          servicePort: 4200,
          logger: silentLogger,
          redis: { url: server.urlFor(15) },
          ...options,
        }),
        ...imports,
      ],
    })
    class AppModule {}
    return AppModule;
  }

  it('registers the service entry, presence and node when the application boots', async () => {
    const name = serviceName('boot-svc');
    const app = await opened.app(
      appModule({ serviceName: name, serviceType: 'peer', serviceVersion: '2.0.0' }),
    );
    await app.init();
    const hydra = app.get<Hydra>(HYDRA);
    const id = hydra.instanceId;
    const redis = opened.redis(server.urlFor(15));

    expect(JSON.parse((await redis.get(`hydra:service:${name}:service`))!)).toMatchObject({
      serviceName: name,
      type: 'peer',
    });
    expect(await redis.get(`hydra:service:${name}:${id}:presence`)).toBe(id);
    expect(JSON.parse((await redis.hget('hydra:service:nodes', id))!)).toMatchObject({
      serviceName: name,
      version: '2.0.0',
      instanceID: id,
      ip: '127.0.0.1',
      port: '4200',
    });
  });

  it('removes presence and the node at once when the application closes', async () => {
    const name = serviceName('close-svc');
    const app = await opened.app(appModule({ serviceName: name }));
    await app.init();
    const id = app.get<Hydra>(HYDRA).instanceId;
    const redis = opened.redis(server.urlFor(15));
    expect(await redis.exists(`hydra:service:${name}:${id}:presence`)).toBe(1);

    await app.close();

    expect(await redis.exists(`hydra:service:${name}:${id}:presence`)).toBe(0);
    expect(await redis.hexists('hydra:service:nodes', id)).toBe(0);
    expect(app.get<Hydra>(HYDRA).running).toBe(false);
  });

  it('takes its options from a forRootAsync factory that injects a config provider', async () => {
    @Injectable()
    class Settings {
      readonly name = serviceName('async-svc');
      readonly redisUrl = server.urlFor(15);
    }
    @Module({ providers: [Settings], exports: [Settings] })
    class SettingsModule {}
    @Module({
      imports: [
        HydraModule.forRootAsync({
          imports: [SettingsModule],
          inject: [Settings],
          useFactory: (settings: Settings) => ({
            serviceName: settings.name,
            servicePort: 4201,
            logger: silentLogger,
            redis: { url: settings.redisUrl },
          }),
        }),
      ],
    })
    class AsyncAppModule {}

    const app = await opened.app(AsyncAppModule);
    await app.init();
    const { name } = app.get(Settings);
    const hydra = app.get<Hydra>(HYDRA);
    expect(hydra.serviceName).toBe(name);
    const redis = opened.redis(server.urlFor(15));
    expect(await redis.get(`hydra:service:${name}:${hydra.instanceId}:presence`)).toBe(hydra.instanceId);
  });

  it('is global: a feature module injects the instance and the services without importing it', async () => {
    @Injectable()
    class Feature {
      constructor(
        @InjectHydra() readonly hydra: Hydra,
        readonly presence: PresenceService,
      ) {}
    }
    @Module({ providers: [Feature] })
    class FeatureModule {}

    const app = await opened.app(appModule({}, [FeatureModule]));
    await app.init();
    const feature = app.get(Feature);
    expect(feature.hydra).toBe(app.get(HYDRA));
    expect(feature.presence.instanceId).toBe(feature.hydra.instanceId);
    expect(feature.presence.nodeEntry().port).toBe('4200');
  });

  it('logs through a Nest Logger named Hydra when no logger is given', async () => {
    const app = await opened.app(appModule({ logger: undefined }));
    const logger = app.get<Hydra>(HYDRA).logger;
    expect(logger).toBeInstanceOf(Logger);
    expect((logger as Logger & { context?: string }).context).toBe('Hydra');
  });

  it('fails bootstrap with one actionable line when Redis cannot be reached', async () => {
    const port = await freePort();
    const app = await opened.app(
      appModule({ redis: { url: `redis://127.0.0.1:${port}/15`, startupAttempts: 1 } }),
    );
    const error = await app.init().then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(
      /^Cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+\/15 after 1 attempt \(/,
    );
    expect(error?.message).not.toContain('\n');
  });
});
