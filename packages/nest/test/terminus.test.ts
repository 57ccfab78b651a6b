import 'reflect-metadata';
import { Controller, Get, Module, type Type } from '@nestjs/common';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { silentLogger, type Hydra } from '@hydra-nest/core';
import { afterEach, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { HYDRA, HydraModule, type HydraModuleOptions } from '../src/index.js';
import { HydraHealthIndicator, HydraTerminusModule } from '../src/terminus/index.js';
import { baseUrl, Opened, serviceName } from './support.js';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly hydra: HydraHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.hydra.isHealthy('hydra', { timeoutMs: 500 })]);
  }
}

describe('HydraHealthIndicator (terminus)', () => {
  // This file stops its Redis server: it must not share one with other files.
  const server = useRedis();
  const opened = new Opened();
  afterEach(() => opened.closeAll());

  function appModule(options: Partial<HydraModuleOptions> = {}): Type {
    @Module({
      imports: [
        HydraModule.forRoot({
          serviceName: serviceName('terminus-svc'),
          servicePort: 4400,
          logger: silentLogger,
          redis: { url: server.urlFor(15), startupAttempts: 1 },
          ...options,
        }),
        HydraTerminusModule,
      ],
      controllers: [HealthController],
    })
    class AppModule {}
    return AppModule;
  }

  async function getHealth(url: string): Promise<{ status: number; body: any }> {
    const response = await fetch(`${url}/health`);
    return { status: response.status, body: await response.json() };
  }

  it('is down with registered: false when the instance does not register', async () => {
    const app = await opened.app(appModule({ register: false }));
    await app.init();
    const result = await app.get(HydraHealthIndicator).isHealthy('registry');
    expect(result.registry).toMatchObject({ status: 'down', redis: 'up', registered: false });
    expect(result.registry.error).toContain('has no presence key');
  });

  it('is up while Redis answers and the instance is registered, down with details once Redis is gone', async () => {
    const app = await opened.app(appModule());
    await app.listen(0, '127.0.0.1');
    const url = baseUrl(app);
    const hydra = app.get<Hydra>(HYDRA);

    const up = await getHealth(url);
    expect(up.status).toBe(200);
    expect(up.body.status).toBe('ok');
    expect(up.body.info.hydra).toEqual({
      status: 'up',
      redis: 'up',
      registered: true,
      service: hydra.serviceName,
      instanceId: hydra.instanceId,
    });

    await server.stop();

    const down = await getHealth(url);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('error');
    expect(down.body.error.hydra).toMatchObject({
      status: 'down',
      redis: 'unreachable',
      registered: false,
      service: hydra.serviceName,
    });
    expect(down.body.error.hydra.error).toMatch(/^Redis did not answer PING \(.+\)$/);
  });
});
