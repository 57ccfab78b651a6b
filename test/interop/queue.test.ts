import 'reflect-metadata';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { silentLogger } from '@hydra-nest/core';
import { HydraModule, Job, QueueJob, QueueService, QueueWorker } from '@hydra-nest/nest';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedis } from '../harness/redis.js';
import { eventually } from '../harness/wait.js';
import { HydraPeer, type UMFShort } from './hydra-peer.js';

const NEST_SVC = 'nest-queue-svc';
const HYDRA_SVC = 'hydra-queue-svc';

@Injectable()
class Worker {
  readonly jobs: QueueJob[] = [];

  @QueueWorker({ concurrency: 4 })
  handle(@Payload() _body: unknown, @Job() job: QueueJob) {
    this.jobs.push(job);
  }
}

describe('work queues between hydra-nest and real Hydra 1.x', () => {
  const server = useRedis();
  let app: INestApplication;
  let peer: HydraPeer;
  let redis: Redis;
  const key = (service: string, list: string) => `hydra:service:${service}:${list}`;

  beforeAll(async () => {
    @Module({
      imports: [
        HydraModule.forRoot({
          serviceName: NEST_SVC,
          serviceIP: '127.0.0.1',
          servicePort: 4800,
          logger: silentLogger,
          redis: { url: server.urlFor(15) },
        }),
      ],
      providers: [Worker],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: false });
    await app.init();
    peer = await HydraPeer.start({ redisUrl: server.urlFor(15), serviceName: HYDRA_SVC });
    redis = new Redis(server.urlFor(15));
  });

  afterAll(async () => {
    await app?.close();
    await peer?.stop();
    redis?.disconnect();
  });

  it('Hydra queueMessage -> @QueueWorker handles each message once, in order, and marks it completed', async () => {
    const worker = app.get(Worker);
    const sent: UMFShort[] = [];
    for (let n = 1; n <= 5; n++) {
      const umf = await peer.call<UMFShort>('createUMFMessage', {
        to: `${NEST_SVC}:[post]/v1/jobs`,
        from: `${HYDRA_SVC}:/`,
        body: { n, text: 'héllo 😀', ratio: 0.1 + 0.2 },
      });
      await peer.call('queueMessage', umf);
      sent.push(umf);
    }
    await eventually(() => worker.jobs.length === 5, { what: 'five Hydra-queued jobs' });
    expect(worker.jobs.map((j) => j.message)).toEqual(sent);
    expect(worker.jobs.map((j) => j.raw)).toEqual(sent.map((m) => JSON.stringify(m)));
    expect(worker.jobs.every((j) => j.attempt === 1 && j.service === NEST_SVC)).toBe(true);
    await eventually(async () => (await redis.llen(key(NEST_SVC, 'mqinprogress'))) === 0);
    expect(await redis.llen(key(NEST_SVC, 'mqrecieved'))).toBe(0);
    expect(await redis.zcard(key(NEST_SVC, 'hn:leases'))).toBe(0);
  });

  it('QueueService.queueMessage -> Hydra getQueuedMessage + markQueueMessage finds the byte-identical string', async () => {
    const queue = app.get(QueueService);
    const done = await queue.queueMessage({
      to: `${HYDRA_SVC}:/`,
      frm: `${NEST_SVC}:/`,
      typ: 'work',
      bdy: { text: 'ünïcode 😀 \u2028', ratio: 0.1 + 0.2, nested: { list: [1, 'two', null] } },
    });
    const failed = await queue.queueMessage({ to: `${HYDRA_SVC}:/`, frm: `${NEST_SVC}:/`, bdy: { n: 2 } });

    const first = await peer.call<UMFShort>('getQueuedMessage', HYDRA_SVC);
    expect(first).toEqual(done);
    await peer.call('markQueueMessage', first, true);
    expect(await redis.llen(key(HYDRA_SVC, 'mqinprogress'))).toBe(0);

    const second = await peer.call<UMFShort>('getQueuedMessage', HYDRA_SVC);
    expect(second).toEqual(failed);
    expect(await peer.call('markQueueMessage', second, false, 'cannot do it')).toBe(1);
    expect(await redis.llen(key(HYDRA_SVC, 'mqinprogress'))).toBe(0);
    const [dead] = await queue.peek(HYDRA_SVC, 'incomplete');
    expect(dead.message?.bdy).toEqual({ n: 2, reason: 'cannot do it' });
    expect(await queue.depths(HYDRA_SVC)).toEqual({
      received: 0,
      inProgress: 0,
      incomplete: 1,
      delayed: 0,
      leased: 0,
    });
  });
});
