import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { HydraTimeoutError, type Hydra, ServiceUnavailableError, silentLogger } from '@hydra-nest/core';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import { HYDRA, HydraModule, UmfContext, UmfHandler } from '../src/index.js';
import { Opened, serviceName, useTransportApp } from './support.js';

const aborted: Array<{ after: number; reason: string }> = [];
const deadlines: Array<number | undefined> = [];

@Controller()
class PatientController {
  @UmfHandler('[post]/v1/long')
  long(@Payload() _body: unknown, @Ctx() ctx: UmfContext) {
    deadlines.push(ctx.getDeadline());
    const signal = ctx.getSignal();
    const startedAt = Date.now();
    return new Promise((resolve) => {
      signal.addEventListener('abort', () => {
        aborted.push({ after: Date.now() - startedAt, reason: (signal.reason as Error).name });
        resolve({ stopped: true });
      });
    });
  }
}

@Controller('v1/site')
class SiteController {
  @Get()
  page() {
    return { html: true };
  }
}

const server = useRedis();
const fixture = useTransportApp(server, [PatientController], 'patient-svc');

describe('UmfContext deadline', () => {
  it('gives the handler the sender’s deadline and an AbortSignal that fires when it passes', async () => {
    const before = Date.now();
    // The handler stops when the caller gives up; which of the two comes first is a matter of ms.
    await fixture.caller.messaging
      .request({ to: `${fixture.name}:[post]/v1/long`, bdy: {} }, { timeoutMs: 400 })
      .catch((e: unknown) => expect(e).toBeInstanceOf(HydraTimeoutError));
    await eventually(() => aborted.length === 1);
    expect(deadlines[0]! - before).toBeGreaterThan(300);
    expect(deadlines[0]! - before).toBeLessThan(700);
    expect(aborted[0]!.reason).toBe('TimeoutError');
    expect(aborted[0]!.after).toBeGreaterThan(250);
    expect(aborted[0]!.after).toBeLessThan(800);
  });
});

describe('an application that connects no HydraTransport', () => {
  const opened = new Opened();
  afterEach(() => opened.closeAll());
  afterAll(() => opened.closeAll());

  it('answers UMF requests with a 503 naming the service once its HTTP server listens', async () => {
    const name = serviceName('site-svc');
    @Module({
      imports: [
        HydraModule.forRoot({
          serviceName: name,
          serviceIP: '127.0.0.1',
          logger: silentLogger,
          redis: { url: server.urlFor(15) },
        }),
      ],
      controllers: [SiteController],
    })
    class SiteModule {}
    const app = await opened.app(SiteModule);
    await app.listen(0, '127.0.0.1');
    const startedAt = Date.now();
    const error = await fixture.caller.messaging
      .request({ to: `${name}:[get]/v1/site`, bdy: {} }, { timeoutMs: 5000 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toContain(
      `${name} serves no UMF messages: its Nest application connected no HydraTransport`,
    );
    expect(Date.now() - startedAt).toBeLessThan(1000);
    expect(app.get<Hydra>(HYDRA).messaging.stats.refused).toBeGreaterThanOrEqual(1);
  });
});
