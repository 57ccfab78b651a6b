import 'reflect-metadata';
import {
  Catch,
  Controller,
  NotFoundException,
  UseFilters,
  UsePipes,
  ValidationPipe,
  type ArgumentsHost,
  type RpcExceptionFilter,
} from '@nestjs/common';
import { Payload, RpcException } from '@nestjs/microservices';
import { RemoteError } from '@hydra-nest/core';
import { IsEmail } from 'class-validator';
import { of, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually, sleep } from '../../../test/harness/wait.js';
import { UmfEventHandler, UmfHandler } from '../src/index.js';
import { useTransportApp } from './support.js';

class SignupDto {
  @IsEmail()
  email!: string;
}

class QuotaError extends Error {}

@Catch(QuotaError)
class QuotaFilter implements RpcExceptionFilter<QuotaError> {
  catch(_error: QuotaError, _host: ArgumentsHost): Observable<unknown> {
    return of({ recovered: 'by the method filter' });
  }
}

@Catch(QuotaError)
class ClassQuotaFilter implements RpcExceptionFilter<QuotaError> {
  catch(_error: QuotaError, _host: ArgumentsHost): Observable<unknown> {
    return of({ recovered: 'by the class filter' });
  }
}

let handledReplies = 0;

@Controller()
@UseFilters(ClassQuotaFilter)
class AccountsController {
  @UmfHandler('account.signup')
  @UsePipes(
    new ValidationPipe({
      exceptionFactory: (errors) =>
        new RpcException({
          statusCode: 422,
          name: 'ValidationError',
          message: errors.flatMap((e) => Object.values(e.constraints ?? {})),
        }),
    }),
  )
  signup(@Payload() dto: SignupDto) {
    return { email: dto.email };
  }

  @UmfHandler('account.missing')
  missing() {
    throw new NotFoundException('no account 7');
  }

  @UmfHandler('account.conflict')
  conflict() {
    throw new RpcException({ statusCode: 409, name: 'Conflict', message: 'email taken', field: 'email' });
  }

  @UmfHandler('account.quota')
  @UseFilters(QuotaFilter)
  quota() {
    throw new QuotaError('over quota');
  }

  @UmfHandler('account.quota-class', { errorFilter: false })
  quotaByClass() {
    throw new QuotaError('over quota');
  }

  @UmfHandler('account.crash', { errorFilter: false })
  crash() {
    throw new Error('secret internals');
  }

  @UmfHandler('account.export')
  exportAll() {
    return { csv: 'x'.repeat(9 * 1024 * 1024) }; // over the default 8 MiB maxMessageBytes
  }

  @UmfHandler('account.count')
  count() {
    return { accounts: 10n }; // JSON.stringify throws on a BigInt
  }

  @UmfEventHandler('account.noted')
  noted() {
    handledReplies++;
  }
}

describe('HydraTransport error replies', () => {
  const server = useRedis();
  const fixture = useTransportApp(server, [AccountsController], 'accounts-svc');
  const { name } = fixture;

  const ask = (typ: string, bdy: unknown = {}) =>
    fixture.caller.messaging
      .request({ to: `${name}:/`, typ, bdy }, { timeoutMs: 3000 })
      .catch((e: unknown) => e);

  it('keeps a ValidationPipe RpcException (the exceptionFactory way) with the fields named', async () => {
    const error = await ask('account.signup', { email: 'nope' });
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ statusCode: 422, remoteName: 'ValidationError' });
    expect((error as RemoteError).message).toContain('email must be an email');
  });

  it('keeps the status and message of an HttpException', async () => {
    expect(await ask('account.missing')).toMatchObject({
      statusCode: 404,
      remoteName: 'NotFoundException',
      message: `${name} answered 404 NotFoundException: no account 7`,
    });
  });

  it('keeps the status, name and details of an RpcException with an object', async () => {
    const error = (await ask('account.conflict')) as RemoteError;
    expect(error).toMatchObject({ statusCode: 409, remoteName: 'Conflict' });
    expect(error.details).toMatchObject({ field: 'email' });
  });

  it('lets the method’s own exception filter answer first', async () => {
    const reply = (await ask('account.quota')) as { bdy: unknown };
    expect(reply.bdy).toEqual({ recovered: 'by the method filter' });
  });

  it('reaches class-level filters with errorFilter: false', async () => {
    const reply = (await ask('account.quota-class')) as { bdy: unknown };
    expect(reply.bdy).toEqual({ recovered: 'by the class filter' });
  });

  it('answers an error no filter handles with Nest’s generic 500 when errorFilter is false', async () => {
    const error = await ask('account.crash');
    expect(error).toMatchObject({
      statusCode: 500,
      message: expect.stringContaining('Internal server error'),
    });
    expect((error as Error).message).not.toContain('secret internals');
  });

  it('answers a result too large to send with a 413 error reply instead of leaving the caller to time out', async () => {
    const started = Date.now();
    const error = await ask('account.export');
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ statusCode: 413, remoteName: 'MessageTooLargeError' });
    expect((error as Error).message).toMatch(/result was not sent back: .* over the 8388608-byte limit/);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await ask('account.missing')).toMatchObject({ statusCode: 404 }); // the service still answers
  });

  it('answers a result JSON cannot write (a BigInt) with a 500 error reply instead of leaving the caller to time out', async () => {
    const started = Date.now();
    const error = await ask('account.count');
    expect(error).toBeInstanceOf(RemoteError);
    expect(error).toMatchObject({ statusCode: 500, remoteName: 'TypeError' });
    expect((error as Error).message).toMatch(
      /result could not be written as JSON, so it was not sent back: .*BigInt/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('never answers a message that is itself a reply, nor a broadcast', async () => {
    const before = fixture.caller.messaging.stats.received;
    await fixture.caller.messaging.sendMessage({
      to: `${name}:/`,
      frm: `${fixture.caller.instanceId}@caller-svc:/`,
      rmid: 'some-earlier-request',
      typ: 'account.noted',
      bdy: { x: 1 },
    });
    await fixture.caller.messaging.sendMessage({
      to: `${name}:/`,
      frm: `${fixture.caller.instanceId}@caller-svc:/`,
      rmid: 'another-earlier-request',
      typ: 'nobody.serves.this',
      bdy: { x: 2 },
    });
    await fixture.caller.messaging.sendBroadcastMessage({
      to: `${name}:/`,
      typ: 'nobody.serves.this',
      bdy: {},
    });
    await eventually(() => handledReplies === 1);
    await sleep(150);
    expect(fixture.caller.messaging.stats.received).toBe(before);
  });
});
