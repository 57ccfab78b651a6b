import 'reflect-metadata';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload, type MicroserviceOptions } from '@nestjs/microservices';
import { Hydra, silentLogger } from '@hydra-nest/core';
import { afterAll, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { HydraTransport, UmfContext, UmfHandler } from '../src/index.js';
import { serviceName } from './support.js';

@Controller()
class StatsController {
  @UmfHandler('[get]/v1/stats')
  stats(@Payload() body: { n: number }, @Ctx() ctx: UmfContext) {
    return { double: body.n * 2, channel: ctx.getChannel(), broadcast: ctx.isBroadcast() };
  }
}

@Module({ controllers: [StatsController] })
class StatsModule {}

describe('HydraTransport built by hand around its own Hydra instance', () => {
  const server = useRedis();
  const stoppers: Array<() => Promise<unknown>> = [];

  afterAll(async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop().catch(() => undefined);
  });

  it('starts the instance in listen(), serves @UmfHandler methods, and stops it on close()', async () => {
    const name = serviceName('stats-svc');
    const hydra = new Hydra({ serviceName: name, logger: silentLogger, redis: { url: server.urlFor(15) } });
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(StatsModule, {
      strategy: new HydraTransport(hydra, { manageLifecycle: true }),
      logger: false,
    });
    stoppers.push(() => app.close());
    await app.listen();
    expect(hydra.state).toBe('running');

    const caller = new Hydra({
      serviceName: 'caller-svc',
      logger: silentLogger,
      redis: { url: server.urlFor(15) },
    });
    await caller.start();
    stoppers.push(() => caller.stop());
    const reply = await caller.messaging.request({ to: `${name}:[get]/v1/stats`, bdy: { n: 21 } });
    expect(reply.bdy).toEqual({
      double: 42,
      channel: `hydra:service:mc:${name}:${hydra.instanceId}`,
      broadcast: false,
    });

    await app.close();
    expect(hydra.state).toBe('stopped');
    expect(await caller.discovery.instances(name)).toEqual([]);
  });

  it('leaves an instance it did not start running after close()', async () => {
    const name = serviceName('shared-svc');
    const hydra = new Hydra({ serviceName: name, logger: silentLogger, redis: { url: server.urlFor(15) } });
    await hydra.start();
    stoppers.push(() => hydra.stop());
    const app = await NestFactory.createMicroservice<MicroserviceOptions>(StatsModule, {
      strategy: new HydraTransport(hydra, { manageLifecycle: true }),
      logger: false,
    });
    await app.listen();
    await app.close();
    expect(hydra.state).toBe('running');
  });
});
