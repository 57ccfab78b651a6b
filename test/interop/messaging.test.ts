import 'reflect-metadata';
import { ConflictException, Controller, Get, Module, Param, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import { silentLogger, type Hydra } from '@hydra-nest/core';
import {
  HYDRA,
  HydraClient,
  HydraModule,
  HydraTransport,
  Route,
  UmfContext,
  UmfEventHandler,
  UmfHandler,
} from '@hydra-nest/nest';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, useRedis } from '../harness/redis.js';
import { eventually } from '../harness/wait.js';
import { HydraPeer, type HydraServerResponse, type UMFShort } from './hydra-peer.js';

const broadcasts: unknown[] = [];

@Controller('v1/modern')
class ModernController {
  @Get('items/:id')
  @Route()
  item(@Param('id') id: string) {
    return { statusCode: 200, result: { id } };
  }

  @UmfHandler('[post]/v1/modern/echo')
  echo(@Payload() body: unknown, @Ctx() ctx: UmfContext) {
    return { echo: body, sender: ctx.getSender().service };
  }

  @UmfHandler('[post]/v1/modern/fail')
  fail(): never {
    throw new ConflictException('already there');
  }

  @UmfEventHandler('cache.flush')
  flush(@Payload() body: unknown) {
    broadcasts.push(body);
  }
}

// A real Hydra 1.9.3 service and a hydra-nest service exchanging UMF messages over one Redis (db 15).
describe('messaging interop with real Hydra 1.9.3', () => {
  const redis = useRedis();
  let peer: HydraPeer;
  let app: INestApplication;
  let hydra: Hydra;

  beforeAll(async () => {
    peer = await HydraPeer.start({
      redisUrl: redis.urlFor(15),
      serviceName: 'legacy-svc',
      servicePort: await freePort(),
    });
    @Module({
      imports: [
        HydraModule.forRoot({
          serviceName: 'modern-svc',
          serviceIP: '127.0.0.1',
          logger: silentLogger,
          redis: { url: redis.urlFor(15) },
        }),
      ],
      controllers: [ModernController],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: false });
    app.connectMicroservice({ strategy: app.get(HydraTransport) });
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    hydra = app.get(HYDRA);
    await eventually(async () => Number((await hydra.discovery.instances('modern-svc'))[0]?.port) > 0);
  });

  afterAll(async () => {
    await app?.close();
    await peer?.stop();
  });

  it('Hydra sendMessage reaches an @UmfHandler, and Hydra receives the reply with the right rmid', async () => {
    const request = await peer.call<UMFShort>('createUMFMessage', {
      to: 'modern-svc:[post]/v1/modern/echo',
      frm: `${peer.instanceId}@legacy-svc:/`,
      bdy: { hello: 'modern' },
    });
    await peer.call('sendMessage', request);
    const reply = await peer.waitForMessage((m) => m.rmid === request.mid);
    expect(reply.bdy).toEqual({ echo: { hello: 'modern' }, sender: 'legacy-svc' });
    expect(reply.frm).toBe('modern-svc:[post]/v1/modern/echo');
  });

  it('Hydra gets a 404-style error reply, not silence, for a route nobody serves', async () => {
    const request = await peer.call<UMFShort>('createUMFMessage', {
      to: 'modern-svc:[get]/v1/nothing',
      frm: `${peer.instanceId}@legacy-svc:/`,
      bdy: {},
    });
    await peer.call('sendMessage', request);
    const reply = await peer.waitForMessage((m) => m.rmid === request.mid);
    expect(reply.bdy).toMatchObject({ statusCode: 404, statusMessage: 'Not Found' });
  });

  it('hydra-nest request reaches the Hydra service, which answers with sendReplyMessage', async () => {
    await peer.autoReply({ bodyTemplate: { from: 'legacy' } });
    const reply = await hydra.messaging.request({ to: 'legacy-svc:/v1/legacy', bdy: { n: 1 } });
    expect(reply.bdy).toEqual({ echo: { n: 1 }, from: 'legacy' });
    expect(reply.to).toBe(`${hydra.instanceId}@modern-svc:/`);
    await peer.autoReply(null);
  });

  it('HydraClient.send gets the reply body of a Hydra service that answers with sendReplyMessage', async () => {
    await peer.autoReply({ bodyTemplate: { via: 'client' } });
    const client = app.get(HydraClient);
    const body = await firstValueFrom(
      client.send({ to: 'legacy-svc:[get]/v1/legacy', typ: 'ask' }, { q: 1 }),
    );
    expect(body).toEqual({ echo: { q: 1 }, via: 'client' });
    await peer.autoReply(null);
  });

  it('Hydra reads a hydra-nest error reply as its status object, with the error beside it', async () => {
    const request = await peer.call<UMFShort>('createUMFMessage', {
      to: 'modern-svc:[post]/v1/modern/fail',
      frm: `${peer.instanceId}@legacy-svc:/`,
      bdy: { x: 1 },
    });
    await peer.call('sendMessage', request);
    const reply = await peer.waitForMessage((m) => m.rmid === request.mid);
    expect(reply).toMatchObject({ typ: 'error', frm: 'modern-svc:[post]/v1/modern/fail' });
    expect(reply.bdy).toEqual({
      statusCode: 409,
      statusMessage: 'Conflict',
      statusDescription: 'The request conflicts with the current state',
      result: { reason: 'already there' },
      error: { name: 'ConflictException', message: 'already there' },
    });
  });

  it('broadcasts go both ways', async () => {
    const msg = await peer.call<UMFShort>('createUMFMessage', {
      to: 'modern-svc:/',
      frm: 'legacy-svc:/',
      typ: 'cache.flush',
      bdy: { all: true },
    });
    await peer.call('sendBroadcastMessage', msg);
    await eventually(() => broadcasts.length === 1);
    expect(broadcasts[0]).toEqual({ all: true });

    await hydra.messaging.sendBroadcastMessage({
      to: 'legacy-svc:/',
      typ: 'cache.flush',
      bdy: { from: 'modern' },
    });
    const received = await peer.waitForMessage(
      (m) => (m.bdy as { from?: string } | undefined)?.from === 'modern',
    );
    expect(received).toMatchObject({ to: 'legacy-svc:/', frm: 'modern-svc:/', typ: 'cache.flush' });
  });

  it('Hydra makeAPIRequest reaches a @Route of the Nest app over HTTP', async () => {
    const response = await peer.call<HydraServerResponse>('makeAPIRequest', {
      to: 'modern-svc:[get]/v1/modern/items/42',
      from: 'legacy-svc:/',
      body: {},
    });
    expect(response).toMatchObject({ statusCode: 200, result: { id: '42' } });
  });

  it('hydra-nest makeAPIRequest reaches the Hydra service’s HTTP server', async () => {
    await peer.listen();
    const response = await hydra.messaging.makeAPIRequest({
      to: 'legacy-svc:[post]/v1/legacy/items?x=1',
      frm: 'modern-svc:/',
      bdy: { n: 2 },
    });
    expect(response).toMatchObject({
      statusCode: 200,
      result: { method: 'POST', url: '/v1/legacy/items?x=1', body: { n: 2 } },
    });
  });
});
