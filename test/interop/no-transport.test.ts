import 'reflect-metadata';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { silentLogger } from '@hydra-nest/core';
import { HydraModule, Route } from '@hydra-nest/nest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedis } from '../harness/redis.js';
import { HydraPeer, type UMFShort } from './hydra-peer.js';

@Controller('v1/greeter')
class GreeterController {
  @Get()
  @Route()
  greet() {
    return { hello: 'http' };
  }
}

// Issue #16: Hydra 1.x publishes to a present instance and waits; an HTTP-only hydra-nest app (like
// samples/greeter) must answer, not keep the message.
describe('a real Hydra 1.9.3 sender and an HTTP-only hydra-nest service', () => {
  const redis = useRedis();
  let peer: HydraPeer;
  let app: INestApplication;

  beforeAll(async () => {
    peer = await HydraPeer.start({ redisUrl: redis.urlFor(15), serviceName: 'legacy-svc' });
    @Module({
      imports: [
        HydraModule.forRoot({
          serviceName: 'greeter-svc',
          serviceIP: '127.0.0.1',
          logger: silentLogger,
          redis: { url: redis.urlFor(15) },
        }),
      ],
      controllers: [GreeterController],
    })
    class GreeterModule {}
    app = await NestFactory.create(GreeterModule, { logger: false });
    await app.listen(0, '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
    await peer?.stop();
  });

  it('gets a 503 error reply at once, naming the service and saying it serves no UMF messages', async () => {
    const request = await peer.call<UMFShort>('createUMFMessage', {
      to: 'greeter-svc:[get]/v1/greeter',
      frm: `${peer.instanceId}@legacy-svc:/`,
      bdy: { hi: 1 },
    });
    const sentAt = Date.now();
    await peer.call('sendMessage', request);
    const reply = await peer.waitForMessage((m) => m.rmid === request.mid);
    expect(Date.now() - sentAt).toBeLessThan(1000);
    expect(reply.bdy).toMatchObject({
      statusCode: 503,
      statusMessage: 'Service Unavailable',
      result: { reason: expect.stringMatching(/^greeter-svc serves no UMF messages/) as unknown },
    });
  });
});
