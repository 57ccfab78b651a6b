import 'reflect-metadata';
import {
  CallHandler,
  CanActivate,
  Controller,
  ExecutionContext,
  Injectable,
  Module,
  NestInterceptor,
  UseGuards,
  UseInterceptors,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import { ClientsModule, Ctx, Payload } from '@nestjs/microservices';
import { Hydra, RemoteError, silentLogger } from '@hydra-nest/core';
import { IsInt, IsString, Min } from 'class-validator';
import { firstValueFrom, map, of } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import { HydraClient, UmfContext, UmfEventHandler, UmfHandler } from '../src/index.js';
import { Opened, useTransportApp } from './support.js';

class ImageDto {
  @IsString()
  url!: string;

  @IsInt()
  @Min(1)
  width!: number;
}

@Injectable()
class DenyWhenAsked implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    return (context.switchToRpc().getData() as { deny?: boolean }).deny !== true;
  }
}

@Injectable()
class Stamp implements NestInterceptor {
  intercept(_context: ExecutionContext, next: CallHandler) {
    return next.handle().pipe(map((value) => ({ ...value, stamped: true })));
  }
}

const events: unknown[] = [];

@Controller()
class ImagesController {
  @UmfHandler('[post]/v1/images')
  @UsePipes(new ValidationPipe())
  store(@Payload() image: ImageDto, @Ctx() ctx: UmfContext) {
    return { stored: image.url, from: ctx.getSender().service, broadcast: ctx.isBroadcast() };
  }

  @UmfHandler('[get]/v1/images/:id')
  find(@Ctx() ctx: UmfContext) {
    return Promise.resolve({ path: ctx.getRoute().path });
  }

  @UmfHandler('image.count')
  @UseGuards(DenyWhenAsked)
  @UseInterceptors(Stamp)
  count() {
    return of({ count: 3 });
  }

  @UmfHandler('image.fail')
  fail() {
    throw new Error('disk on fire');
  }

  @UmfEventHandler('image.changed')
  changed(@Payload() body: unknown) {
    events.push(body);
  }
}

describe('HydraTransport with @UmfHandler', () => {
  const server = useRedis();
  const fixture = useTransportApp(server, [ImagesController], 'images-svc');
  const { name } = fixture;

  const request = (to: string, bdy: unknown, typ?: string) =>
    fixture.caller.messaging.request({ to: `${name}:${to}`, typ, bdy }, { timeoutMs: 3000 });

  it('dispatches by route and replies with rmid = the request mid, validated DTO and context', async () => {
    const reply = await fixture.caller.messaging.request({
      to: `${name}:[post]/v1/images`,
      mid: 'request-mid-1',
      bdy: { url: 'a.png', width: 2 },
    });
    expect(reply.bdy).toEqual({ stored: 'a.png', from: 'caller-svc', broadcast: false });
    expect(reply.rmid).toBe('request-mid-1');
    expect(reply.frm).toBe(`${name}:[post]/v1/images`);
  });

  it('matches route parameters', async () => {
    expect((await request('[get]/v1/images/42', {})).bdy).toEqual({ path: '/v1/images/42' });
  });

  it('dispatches by typ, through guards and interceptors, unwrapping Observables', async () => {
    expect((await request('/', {}, 'image.count')).bdy).toEqual({ count: 3, stamped: true });
    const denied = await request('/', { deny: true }, 'image.count').catch((e) => e);
    expect(denied).toBeInstanceOf(RemoteError);
    expect(denied).toMatchObject({ statusCode: 403, remoteName: 'ForbiddenException' });
  });

  it('answers a bad DTO with a validation error naming the field', async () => {
    const error = await request('[post]/v1/images', { url: 7, width: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(RemoteError);
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('url must be a string');
    expect(error.details).toEqual(expect.arrayContaining(['width must not be less than 1']));
  });

  it('turns a thrown error into a 500 error reply', async () => {
    const error = await request('/', {}, 'image.fail').catch((e) => e);
    expect(error).toMatchObject({ statusCode: 500, remoteName: 'Error' });
    expect(error.message).toContain('disk on fire');
  });

  it('answers a message no handler serves with a 404 naming what was asked', async () => {
    const error = await request('[delete]/v1/nothing', {}, 'nope').catch((e) => e);
    expect(error).toMatchObject({ statusCode: 404 });
    expect(error.message).toMatch(/has no UMF handler for "\[delete\]\/v1\/nothing" \(typ "nope"\)/);
  });

  it('delivers events and broadcasts to @UmfEventHandler without replying', async () => {
    const receivedBefore = fixture.caller.messaging.stats.received;
    await fixture.caller.messaging.sendMessage({
      to: `${name}:/`,
      frm: 'caller-svc:/',
      typ: 'image.changed',
      bdy: { id: 1 },
    });
    await fixture.caller.messaging.sendBroadcastMessage({
      to: `${name}:/`,
      frm: 'caller-svc:/',
      typ: 'image.changed',
      bdy: { id: 2 },
    });
    await eventually(() => events.length === 2);
    expect(events).toEqual([{ id: 1 }, { id: 2 }]);
    expect(fixture.caller.messaging.stats.received).toBe(receivedBefore); // no reply came back
  });

  it('HydraClient sends (request-reply) and emits (one-way) the Nest way', async () => {
    const client = fixture.app.get(HydraClient);
    expect(await firstValueFrom(client.send(`${name}:[get]/v1/images/9`, {}))).toEqual({
      path: '/v1/images/9',
    });
    expect(await firstValueFrom(client.send({ to: `${name}:/`, typ: 'image.count' }, {}))).toEqual({
      count: 3,
      stamped: true,
    });
    const error = await firstValueFrom(client.send(`${name}:[post]/v1/images`, { url: 1 })).catch((e) => e);
    expect(error).toBeInstanceOf(RemoteError);
    await firstValueFrom(client.emit({ to: `${name}:/`, typ: 'image.changed' }, { id: 3 }));
    await eventually(() => events.length === 3);
  });
});

describe('HydraClient registered through ClientsModule', () => {
  const server = useRedis();
  const opened = new Opened();

  afterAll(() => opened.closeAll());

  it('brings its own Hydra instance and talks to a service', async () => {
    const echo = new Hydra({
      serviceName: 'echo-svc',
      logger: silentLogger,
      redis: { url: server.urlFor(15) },
    });
    await echo.start();
    echo.messaging.setHandler((m) => void echo.messaging.sendReplyMessage(m, { bdy: { echo: m.bdy } }));
    try {
      @Module({
        imports: [
          ClientsModule.register([
            {
              name: 'ECHO',
              customClass: HydraClient,
              options: {
                serviceName: 'standalone-caller',
                logger: silentLogger,
                redis: { url: server.urlFor(15) },
              },
            },
          ]),
        ],
      })
      class CallerModule {}
      const app = await opened.app(CallerModule);
      await app.init();
      const client = app.get<HydraClient>('ECHO');
      expect(await firstValueFrom(client.send('echo-svc:/', { n: 1 }))).toEqual({ echo: { n: 1 } });
      await app.close();
      expect((await echo.discovery.instances('standalone-caller')).length).toBe(0);
    } finally {
      await echo.stop();
    }
  });
});
