import 'reflect-metadata';
import {
  Body,
  Catch,
  Controller,
  Get,
  Module,
  NotFoundException,
  Post,
  UsePipes,
  ValidationPipe,
  type ArgumentsHost,
  type ExceptionFilter,
  type INestApplication,
  type ModuleMetadata,
} from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { Hydra, MessagingConnectionError, RemoteError, silentLogger } from '@hydra-nest/core';
import { IsEmail, MinLength } from 'class-validator';
import type { Response } from 'express';
import { lastValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { sleep } from '../../../test/harness/wait.js';
import {
  HydraClient,
  HydraHttpExceptionFilter,
  HydraModule,
  HydraTransport,
  MessagingService,
  ServiceUnavailableError,
  UmfHandler,
  type HydraModuleOptions,
} from '../src/index.js';
import { Opened, baseUrl, serviceName, useTransportApp } from './support.js';

class SignupDto {
  @IsEmail()
  email!: string;

  @MinLength(8)
  password!: string;
}

/** The UMF handlers of the service the HTTP apps call. */
@Controller()
class AccountsMessages {
  @UmfHandler('account.slow')
  async slow() {
    await sleep(1000);
    return { late: true };
  }

  @UmfHandler('account.missing')
  missing() {
    throw new NotFoundException('no account 7');
  }

  @UmfHandler('account.signup')
  @UsePipes(new ValidationPipe())
  signup(@Payload() dto: SignupDto) {
    return { email: dto.email };
  }

  @UmfHandler('account.crash')
  crash() {
    throw new Error('secret internals');
  }

  @UmfHandler('account.echo')
  echo(@Payload() body: unknown) {
    return body;
  }
}

/** Set in beforeAll: the service that serves AccountsMessages, and one that has no instance. */
let accounts = '';
const absent = serviceName('absent-svc');

/** HTTP routes that call accounts (or nobody) through HydraClient and MessagingService. */
@Controller('web')
class WebController {
  constructor(
    private readonly client: HydraClient,
    private readonly messaging: MessagingService,
  ) {}

  @Get('absent')
  absent() {
    return lastValueFrom(this.client.send(`${absent}:/`, {}));
  }

  @Get('slow')
  slow() {
    return lastValueFrom(this.client.send({ to: `${accounts}:/`, typ: 'account.slow', timeoutMs: 300 }, {}));
  }

  @Get('missing')
  missing() {
    return this.client.send({ to: `${accounts}:/`, typ: 'account.missing' }, {}); // the Observable itself
  }

  @Post('signup')
  async signup(@Body() body: object) {
    const reply = await this.messaging.request({ to: `${accounts}:/`, typ: 'account.signup', bdy: body });
    return reply.bdy;
  }

  @Get('crash')
  crash() {
    return lastValueFrom(this.client.send({ to: `${accounts}:/`, typ: 'account.crash' }, {}));
  }

  @Get('large')
  large() {
    return lastValueFrom(
      this.client.send({ to: `${accounts}:/`, typ: 'account.echo' }, { blob: 'x'.repeat(4096) }),
    );
  }

  @Get('echo')
  echo() {
    return lastValueFrom(this.client.send({ to: `${accounts}:/`, typ: 'account.echo' }, { ok: true }));
  }

  @Get('malformed')
  async malformed() {
    return this.messaging.request({ to: `${accounts}:/`, bdy: 0 }); // Hydra peers drop a falsy body
  }

  @Get('redis-lost')
  redisLost() {
    throw new MessagingConnectionError('the connection to Redis was lost while the request was in flight');
  }

  @Get('plain')
  plain() {
    throw new Error('not a hydra-nest error');
  }
}

/** A user's filter for one hydra-nest error. */
@Catch(ServiceUnavailableError)
class TeapotFilter implements ExceptionFilter {
  catch(_error: ServiceUnavailableError, host: ArgumentsHost) {
    host.switchToHttp().getResponse<Response>().status(418).json({ by: 'user filter' });
  }
}

/** A user's catch-all filter. */
@Catch()
class CatchAllFilter implements ExceptionFilter {
  catch(_error: unknown, host: ArgumentsHost) {
    host.switchToHttp().getResponse<Response>().status(599).json({ by: 'catch-all filter' });
  }
}

@Module({ providers: [{ provide: APP_FILTER, useClass: TeapotFilter }] })
class TeapotFilterModule {}

describe('hydra-nest errors in HTTP handlers', () => {
  const server = useRedis();
  const remote = useTransportApp(server, [AccountsMessages], 'accounts-svc');
  const opened = new Opened();

  afterAll(() => opened.closeAll());

  /** Starts an HTTP app (with HydraModule and WebController) on a free port; resolves its base URL. */
  async function webApp(
    options: Partial<HydraModuleOptions> = {},
    metadata: ModuleMetadata & { importsBeforeHydra?: ModuleMetadata['imports'] } = {},
    beforeListen?: (app: INestApplication) => void,
  ): Promise<string> {
    @Module({
      imports: [
        ...(metadata.importsBeforeHydra ?? []),
        HydraModule.forRoot({
          serviceName: serviceName('web-svc'),
          serviceIP: '127.0.0.1',
          logger: silentLogger,
          redis: { url: server.urlFor(15) },
          messaging: { maxMessageBytes: 2048 },
          ...options,
        }),
        ...(metadata.imports ?? []),
      ],
      controllers: [WebController],
      providers: metadata.providers ?? [],
    })
    class WebModule {}
    const app = await opened.app(WebModule);
    beforeListen?.(app);
    await app.listen(0, '127.0.0.1');
    return baseUrl(app);
  }

  async function get(
    url: string,
    init?: RequestInit,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(url, init);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  describe('with HydraModule’s defaults', () => {
    let web = '';
    beforeAll(async () => {
      accounts = remote.name;
      web = await webApp();
    });

    it('answers 503 naming the service when no instance of it is there', async () => {
      expect(await get(`${web}/web/absent`)).toEqual({
        status: 503,
        body: {
          statusCode: 503,
          error: 'Service Unavailable',
          message: expect.stringContaining(absent),
          service: absent,
        },
      });
    });

    it('answers 504 when the UMF handler of another instance is slower than timeoutMs', async () => {
      const { status, body } = await get(`${web}/web/slow`);
      expect(status).toBe(504);
      expect(body).toMatchObject({ statusCode: 504, error: 'Gateway Timeout', service: accounts });
      expect(body.message).toMatch(/no reply from .* within 300 ms/);
    });

    it('answers a remote NotFoundException with its 404 and message, also from a returned Observable', async () => {
      expect(await get(`${web}/web/missing`)).toEqual({
        status: 404,
        body: { statusCode: 404, error: 'Not Found', message: 'no account 7', service: accounts },
      });
    });

    it('answers a remote ValidationPipe failure with 400 and the message of each field', async () => {
      const { status, body } = await get(`${web}/web/signup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'nope', password: 'short' }),
      });
      expect(status).toBe(400);
      expect(body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: ['email must be an email', 'password must be longer than or equal to 8 characters'],
        service: accounts,
      });
    });

    it('answers a remote crash with its 500 but without the remote’s own message', async () => {
      const { status, body } = await get(`${web}/web/crash`);
      expect(status).toBe(500);
      expect(body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: `${accounts} answered 500 Internal Server Error`,
        service: accounts,
      });
    });

    it('answers 413 for a message over messaging.maxMessageBytes', async () => {
      const { status, body } = await get(`${web}/web/large`);
      expect(status).toBe(413);
      expect(body).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
      expect(body.message).toMatch(/over the 2048-byte limit \(messaging.maxMessageBytes\)/);
    });

    it('answers 400 for a malformed UMF message, with each problem', async () => {
      expect(await get(`${web}/web/malformed`)).toEqual({
        status: 400,
        body: {
          statusCode: 400,
          error: 'Bad Request',
          message: [expect.stringContaining('"bdy" is 0')],
        },
      });
    });

    it('answers 503 for a MessagingConnectionError', async () => {
      expect(await get(`${web}/web/redis-lost`)).toMatchObject({
        status: 503,
        body: {
          statusCode: 503,
          error: 'Service Unavailable',
          message: expect.stringMatching(/Redis was lost/),
        },
      });
    });

    it('leaves other errors to Nest: a 500 with its generic message', async () => {
      expect(await get(`${web}/web/plain`)).toEqual({
        status: 500,
        body: { statusCode: 500, message: 'Internal server error' },
      });
    });

    it('still answers what succeeds', async () => {
      expect(await get(`${web}/web/echo`)).toEqual({ status: 200, body: { ok: true } });
    });
  });

  it('with httpErrors: false, leaves hydra-nest errors to Nest (a 500)', async () => {
    const web = await webApp({ httpErrors: false });
    expect(await get(`${web}/web/absent`)).toEqual({
      status: 500,
      body: { statusCode: 500, message: 'Internal server error' },
    });
  });

  describe('beside the user’s own filters', () => {
    it('lets a filter of app.useGlobalFilters() answer first', async () => {
      const web = await webApp({}, {}, (app) => app.useGlobalFilters(new TeapotFilter()));
      expect(await get(`${web}/web/absent`)).toEqual({ status: 418, body: { by: 'user filter' } });
      expect((await get(`${web}/web/missing`)).status).toBe(404); // the errors it does not catch
    });

    it('lets an APP_FILTER of a module imported after HydraModule answer first', async () => {
      const web = await webApp({}, { imports: [TeapotFilterModule] });
      expect(await get(`${web}/web/absent`)).toEqual({ status: 418, body: { by: 'user filter' } });
      expect((await get(`${web}/web/missing`)).status).toBe(404);
    });

    it('answers before an APP_FILTER of a module imported ahead of HydraModule', async () => {
      const web = await webApp({}, { importsBeforeHydra: [TeapotFilterModule] });
      expect((await get(`${web}/web/absent`)).status).toBe(503);
    });

    it('answers before an APP_FILTER of the root module, which still gets every other error', async () => {
      const web = await webApp({}, { providers: [{ provide: APP_FILTER, useClass: CatchAllFilter }] });
      expect((await get(`${web}/web/absent`)).status).toBe(503);
      expect(await get(`${web}/web/plain`)).toEqual({ status: 599, body: { by: 'catch-all filter' } });
    });

    it('can be registered by the user instead, as an APP_FILTER of their own', async () => {
      const web = await webApp(
        { httpErrors: false },
        { providers: [{ provide: APP_FILTER, useClass: HydraHttpExceptionFilter }] },
      );
      expect((await get(`${web}/web/absent`)).status).toBe(503);
    });

    it('gives the root module’s APP_FILTER every error with httpErrors: false', async () => {
      const web = await webApp(
        { httpErrors: false },
        { providers: [{ provide: APP_FILTER, useClass: CatchAllFilter }] },
      );
      expect(await get(`${web}/web/absent`)).toEqual({ status: 599, body: { by: 'catch-all filter' } });
    });
  });
});

/** UMF handlers without the built-in error filter, so that global filters see what they throw. */
@Controller()
class RelayMessages {
  constructor(private readonly client: HydraClient) {}

  @UmfHandler('relay.absent', { errorFilter: false })
  relayAbsent() {
    return lastValueFrom(this.client.send(`${absent}:/`, {}));
  }

  @UmfHandler('relay.crash', { errorFilter: false })
  crash() {
    throw new Error('secret internals');
  }
}

describe('hydra-nest errors in UMF handlers, where the global filters apply (inheritAppConfig)', () => {
  const server = useRedis();
  const opened = new Opened();
  const name = serviceName('relay-svc');
  let caller: Hydra;

  beforeAll(async () => {
    const redis = { url: server.urlFor(15) };
    @Module({
      imports: [
        HydraModule.forRoot({ serviceName: name, serviceIP: '127.0.0.1', logger: silentLogger, redis }),
      ],
      controllers: [RelayMessages],
    })
    class RelayModule {}
    const app = await opened.app(RelayModule);
    app.connectMicroservice({ strategy: app.get(HydraTransport) }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    await app.init();
    caller = new Hydra({ serviceName: 'caller-svc', logger: silentLogger, redis });
    await caller.start();
  });

  afterAll(async () => {
    await caller?.stop();
    await opened.closeAll();
  });

  const ask = (typ: string) =>
    caller.messaging.request({ to: `${name}:/`, typ, bdy: {} }, { timeoutMs: 3000 }).catch((e: unknown) => e);

  it('hands a hydra-nest error on to the transport, which sends it back as a UMF error reply', async () => {
    const error = await ask('relay.absent');
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ statusCode: 503, remoteName: 'ServiceUnavailableError' });
    expect((error as RemoteError).remoteMessage).toContain(absent);
  });

  it('leaves other errors to Nest’s generic RPC answer', async () => {
    const error = await ask('relay.crash');
    expect(error).toMatchObject({
      statusCode: 500,
      message: expect.stringContaining('Internal server error'),
    });
  });
});
