import 'reflect-metadata';
import { Controller, Injectable, Module, type Type } from '@nestjs/common';
import { Hydra, hydraAclRules, RedisPermissionError, silentLogger } from '@hydra-nest/core';
import { afterEach, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import { HydraModule, HydraTransport, QueueService, QueueWorker, UmfHandler } from '../src/index.js';
import { HydraHealthIndicator, HydraTerminusModule } from '../src/terminus/index.js';
import { Opened, serviceName } from './support.js';

// A Nest app whose Redis user has only the README's ACL rule: UMF handlers, queue workers and the
// terminus indicator all work; a user lacking a right makes bootstrap fail, naming it.

describe('a Nest app on a Redis ACL user', () => {
  const server = useRedis({
    users: [
      { name: 'hydra', password: 'secret', rules: hydraAclRules() },
      { name: 'no-subscribe', password: 'secret', rules: hydraAclRules().filter((r) => r !== '+subscribe') },
    ],
  });
  const opened = new Opened();
  const callers: Hydra[] = [];
  afterEach(async () => {
    await Promise.all(callers.splice(0).map((h) => h.stop()));
    await opened.closeAll();
  });

  @Controller()
  class PingController {
    @UmfHandler('ping')
    ping(payload: { n: number }) {
      return { pong: payload.n };
    }
  }

  @Injectable()
  class Worker {
    readonly seen: unknown[] = [];

    @QueueWorker()
    handle(payload: unknown) {
      this.seen.push(payload);
    }
  }

  function appModule(name: string, user: string): Type {
    @Module({
      imports: [
        HydraModule.forRoot({
          serviceName: name,
          serviceIP: '127.0.0.1',
          servicePort: 4800,
          logger: silentLogger,
          redis: { url: server.userUrl(user, 'secret', 15), startupAttempts: 1 },
        }),
        HydraTerminusModule,
      ],
      controllers: [PingController],
      providers: [Worker],
    })
    class AppModule {}
    return AppModule;
  }

  it('serves UMF requests, runs queue workers and reports healthy', async () => {
    const name = serviceName('acl-nest-svc');
    const app = await opened.app(appModule(name, 'hydra'));
    app.connectMicroservice({ strategy: app.get(HydraTransport) });
    await app.startAllMicroservices();
    await app.init();
    const caller = new Hydra({
      serviceName: 'acl-caller-svc',
      logger: silentLogger,
      redis: { url: server.userUrl('hydra', 'secret', 15) },
    });
    callers.push(caller);
    await caller.start();
    const reply = await caller.messaging.request({ to: `${name}:/`, typ: 'ping', bdy: { n: 7 } });
    expect(reply.bdy).toEqual({ pong: 7 });

    await app.get(QueueService).queueMessage({ to: `${name}:/`, frm: 'acl-caller-svc:/', bdy: { job: 1 } });
    await eventually(() => app.get(Worker).seen.length === 1, { what: 'the job' });
    const health = await app.get(HydraHealthIndicator).isHealthy('hydra');
    expect(health.hydra).toMatchObject({ status: 'up' });
  });

  it('fails to bootstrap with a RedisPermissionError naming what the user lacks', async () => {
    const app = await opened.app(appModule(serviceName('acl-nest-svc'), 'no-subscribe'));
    const error = await app.init().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisPermissionError);
    expect((error as Error).message).toContain('Redis user "no-subscribe" may not run SUBSCRIBE');
    expect((error as Error).message).toContain('ACL SETUSER no-subscribe +subscribe');
  });
});
