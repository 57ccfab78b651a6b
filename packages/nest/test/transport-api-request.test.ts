import 'reflect-metadata';
import { Body, Controller, Get, Headers, Module, Param, Post, type INestApplication } from '@nestjs/common';
import { Hydra, silentLogger } from '@hydra-nest/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import { HYDRA, HydraModule, MessagingService, Route } from '../src/index.js';
import { Opened, serviceName } from './support.js';

@Controller('v1/orders')
class OrdersController {
  @Get(':id')
  @Route()
  find(@Param('id') id: string, @Headers('authorization') auth?: string) {
    return { statusCode: 200, result: { id, auth } };
  }

  @Post()
  @Route()
  create(@Body() body: { item: string }) {
    return { statusCode: 201, result: { created: body.item } };
  }
}

describe('MessagingService.makeAPIRequest to a Nest HTTP route', () => {
  const server = useRedis();
  const opened = new Opened();
  const name = serviceName('orders-svc');
  let web: INestApplication;
  let messaging: MessagingService;
  let unreachable: Hydra;

  beforeAll(async () => {
    const redis = { url: server.urlFor(15) };
    @Module({
      imports: [
        HydraModule.forRoot({ serviceName: name, serviceIP: '127.0.0.1', logger: silentLogger, redis }),
      ],
      controllers: [OrdersController],
    })
    class WebModule {}
    web = await opened.app(WebModule);
    await web.listen(0, '127.0.0.1');
    // A second instance of the same service that is registered but does not answer HTTP.
    unreachable = new Hydra({
      serviceName: name,
      serviceIP: '127.0.0.1',
      servicePort: await freePort(),
      logger: silentLogger,
      redis,
    });
    await unreachable.start();

    @Module({
      imports: [
        HydraModule.forRoot({ serviceName: 'shop-svc', serviceIP: '127.0.0.1', logger: silentLogger, redis }),
      ],
    })
    class ShopModule {}
    const shop = await opened.app(ShopModule);
    await shop.init();
    messaging = shop.get(MessagingService);
    const webHydra = web.get<Hydra>(HYDRA);
    await eventually(
      async () =>
        Number(
          (await webHydra.discovery.instances(name)).find((i) => i.instanceID === webHydra.instanceId)?.port,
        ) > 0,
    );
  });

  afterAll(async () => {
    await unreachable?.stop();
    await opened.closeAll();
  });

  it('reaches the route on every call, skipping the instance that cannot be reached', async () => {
    for (let i = 0; i < 4; i++) {
      const response = await messaging.makeAPIRequest({
        to: `${name}:[get]/v1/orders/${i}`,
        bdy: {},
        aut: 'Bearer t0k3n',
      });
      expect(response).toMatchObject({ statusCode: 200, result: { id: String(i), auth: 'Bearer t0k3n' } });
      expect(response.headers?.['content-type']).toMatch(/json/);
    }
  });

  it('sends the body of a POST as JSON', async () => {
    const response = await messaging.makeAPIRequest({
      to: `${name}:[post]/v1/orders`,
      bdy: { item: 'book' },
    });
    expect(response).toMatchObject({ statusCode: 201, result: { created: 'book' } });
  });

  it('resolves Nest’s 404 as it is, without rejecting', async () => {
    const response = await messaging.makeAPIRequest({ to: `${name}:[get]/v1/nothing`, bdy: {} });
    expect(response.statusCode).toBe(404);
  });

  it('answers 400 for a route without a method and 503 once no instance can be reached', async () => {
    expect(await messaging.makeAPIRequest({ to: `${name}:/v1/orders`, bdy: {} })).toMatchObject({
      statusCode: 400,
      result: { reason: 'HTTP method not specified in `to` field' },
    });
    await web.close();
    const response = await messaging.makeAPIRequest({ to: `${name}:[get]/v1/orders/1`, bdy: {} });
    expect(response).toMatchObject({
      statusCode: 503,
      statusMessage: 'Service Unavailable',
      // Either none is left in discovery, or the ones left cannot be reached: Hydra's two 503 texts.
      result: {
        reason: expect.stringMatching(
          new RegExp(`^(An instance of ${name} is unavailable|Unavailable ${name} instances)$`),
        ),
      },
    });
  });
});
