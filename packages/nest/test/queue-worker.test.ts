import 'reflect-metadata';
import { Injectable, Module, UsePipes, ValidationPipe, type Type } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { MessageTooLargeError, silentLogger } from '@hydra-nest/core';
import { IsInt, IsString, Min } from 'class-validator';
import { afterEach, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually, sleep } from '../../../test/harness/wait.js';
import {
  HydraModule,
  type HydraModuleOptions,
  Job,
  QueueJob,
  QueueService,
  QueueWorker,
  QueueWorkerDefinitionError,
} from '../src/index.js';
import { Opened, serviceName } from './support.js';

class ResizeDto {
  @IsString()
  url!: string;

  @IsInt()
  @Min(1)
  width!: number;
}

interface Seen {
  handler: string;
  payload: unknown;
  job: QueueJob;
}

describe('@QueueWorker handlers', () => {
  const server = useRedis();
  const opened = new Opened();
  afterEach(() => opened.closeAll());

  async function boot(
    workers: Type,
    name = serviceName('queue-svc'),
    extra: Partial<HydraModuleOptions> = {},
  ) {
    @Module({
      imports: [
        HydraModule.forRoot({
          serviceName: name,
          serviceIP: '127.0.0.1',
          servicePort: 4700,
          logger: silentLogger,
          redis: { url: server.urlFor(15) },
          ...extra,
        }),
      ],
      providers: [workers],
    })
    class AppModule {}
    const app = await opened.app(AppModule);
    await app.init();
    const queue = app.get(QueueService);
    const send = (bdy: Record<string, unknown>, typ?: string) =>
      queue.queueMessage({ to: `${name}:/`, frm: 'producer-svc:/', typ, bdy });
    return { app, name, queue, send, worker: app.get(workers) as { seen: Seen[] } };
  }

  @Injectable()
  class ImageWorker {
    readonly seen: Seen[] = [];

    @QueueWorker({ typ: 'resize', concurrency: 4 })
    @UsePipes(new ValidationPipe({ transform: true, whitelist: true }))
    resize(@Payload() dto: ResizeDto, @Job() job: QueueJob) {
      this.seen.push({ handler: 'resize', payload: dto, job });
    }

    @QueueWorker({ typ: 'flaky', maxAttempts: 2, backoff: { delayMs: 50 } })
    flaky(payload: { n: number }, job: QueueJob) {
      this.seen.push({ handler: 'flaky', payload, job });
      throw new Error(`downstream refused ${payload.n}`);
    }

    @QueueWorker()
    other(payload: unknown, job: QueueJob) {
      this.seen.push({ handler: 'other', payload, job });
    }
  }

  it('hands a valid body through ValidationPipe as a DTO, with the job context, and completes it', async () => {
    const { name, send, queue, worker } = await boot(ImageWorker);
    const m = await send({ url: 'https://x/a.png', width: 300 }, 'resize');
    await eventually(() => worker.seen.length === 1, { what: 'resize handled' });
    const [seen] = worker.seen;
    expect(seen.handler).toBe('resize');
    expect(seen.payload).toBeInstanceOf(ResizeDto);
    expect(seen.payload).toEqual({ url: 'https://x/a.png', width: 300 });
    expect(seen.job).toBeInstanceOf(QueueJob);
    expect(seen.job).toMatchObject({ service: name, attempt: 1, mid: m.mid, typ: 'resize' });
    expect(seen.job.firstDeliveredAt.getTime()).toBeGreaterThan(Date.now() - 5000);
    await eventually(async () => (await queue.depths(name)).inProgress === 0);
    expect(await queue.depths(name)).toEqual({
      received: 0,
      inProgress: 0,
      incomplete: 0,
      delayed: 0,
      leased: 0,
    });
  });

  it('moves a body that fails validation straight to mqincomplete, with the validation errors as reason', async () => {
    const { name, send, queue, worker } = await boot(ImageWorker);
    await send({ url: 42, width: 0 }, 'resize');
    await eventually(async () => (await queue.depths(name)).incomplete === 1, { what: 'dead letter' });
    expect(worker.seen).toHaveLength(0);
    const [dead] = await queue.peek(name, 'incomplete');
    expect(dead.message?.bdy).toMatchObject({ url: 42, width: 0 });
    const reason = (dead.message?.bdy as { reason: string }).reason;
    expect(reason).toMatch(/^BadRequestException: /);
    expect(reason).toContain('url must be a string');
    expect(reason).toContain('width must not be less than 1');
  });

  it('dispatches by typ, sending other and missing types to the worker without typ', async () => {
    const { send, worker } = await boot(ImageWorker);
    await send({ n: 1 });
    await send({ n: 2 }, 'unknown-type');
    await eventually(() => worker.seen.length === 2);
    expect(worker.seen.map((s) => [s.handler, s.payload])).toEqual([
      ['other', { n: 1 }],
      ['other', { n: 2 }],
    ]);
  });

  it('retries a throwing handler with backoff, then dead-letters it with the error as reason', async () => {
    const { name, send, queue, worker } = await boot(ImageWorker);
    await send({ n: 7 }, 'flaky');
    await eventually(async () => (await queue.depths(name)).incomplete === 1, { what: 'dead letter' });
    expect(worker.seen.map((s) => s.job.attempt)).toEqual([1, 2]);
    const [dead] = await queue.peek(name, 'incomplete');
    expect((dead.message?.bdy as { reason: string }).reason).toBe('downstream refused 7 (after 2 attempts)');
  });

  it('on application shutdown, returns a message whose handler is still running to received', async () => {
    @Injectable()
    class SlowWorker {
      readonly seen: Seen[] = [];
      @QueueWorker({ shutdownTimeoutMs: 100 })
      async slow(payload: unknown, job: QueueJob) {
        this.seen.push({ handler: 'slow', payload, job });
        await sleep(3000);
      }
    }
    const { app, name, send, worker } = await boot(SlowWorker);
    await send({ n: 1 });
    await eventually(() => worker.seen.length === 1);
    await app.close();
    const redis = opened.redis(server.urlFor(15));
    expect(await redis.llen(`hydra:service:${name}:mqrecieved`)).toBe(1);
    expect(await redis.llen(`hydra:service:${name}:mqinprogress`)).toBe(0);
    expect(await redis.zcard(`hydra:service:${name}:hn:leases`)).toBe(0);
  });

  it('applies the module queue.maxMessageBytes to QueueService and to the workers', async () => {
    const { name, send, worker } = await boot(ImageWorker, undefined, { queue: { maxMessageBytes: 2000 } });
    await expect(send({ blob: 'x'.repeat(3000) })).rejects.toBeInstanceOf(MessageTooLargeError);
    const redis = opened.redis(server.urlFor(15));
    const big = JSON.stringify({ to: `${name}:/`, frm: 'producer-svc:/', bdy: { blob: 'y'.repeat(3000) } });
    await redis.lpush(`hydra:service:${name}:mqrecieved`, big);
    await send({ small: true });
    await eventually(() => worker.seen.length === 1);
    expect(worker.seen[0]!.payload).toEqual({ small: true });
    expect(await redis.lrange(`hydra:service:${name}:mqincomplete`, 0, -1)).toEqual([big]);
  });

  it('refuses to start two workers for the same typ of one queue', async () => {
    @Injectable()
    class Clash {
      @QueueWorker({ typ: 'a' })
      one() {}
      @QueueWorker({ typ: 'a' })
      two() {}
    }
    await expect(boot(Clash)).rejects.toThrow(QueueWorkerDefinitionError);
    await expect(boot(Clash)).rejects.toThrow(/Clash\.one and Clash\.two both handle typ "a"/);
  });
});
