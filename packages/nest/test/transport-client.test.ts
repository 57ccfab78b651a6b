import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { Hydra, HydraStateError, HydraTimeoutError, silentLogger } from '@hydra-nest/core';
import type { UmfMessage } from '@hydra-nest/umf';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useRedis } from '../../../test/harness/redis.js';
import { eventually } from '../../../test/harness/wait.js';
import { HydraClient, HydraModule } from '../src/index.js';
import { Opened, serviceName } from './support.js';

describe('HydraClient', () => {
  const server = useRedis();
  const opened = new Opened();
  const peers: Hydra[] = [];
  const heard: Array<[string, UmfMessage]> = [];
  let app: INestApplication;
  let client: HydraClient;
  const target = serviceName('target-svc');

  beforeAll(async () => {
    const redis = { url: server.urlFor(15) };
    for (let i = 0; i < 2; i++) {
      const peer = new Hydra({ serviceName: target, logger: silentLogger, redis });
      await peer.start();
      peer.messaging.setHandler((m) => heard.push([peer.instanceId, m])); // hears, never answers
      peers.push(peer);
    }
    @Module({ imports: [HydraModule.forRoot({ serviceName: 'client-svc', logger: silentLogger, redis })] })
    class ClientModule {}
    app = await opened.app(ClientModule);
    await app.init();
    client = app.get(HydraClient);
  });

  afterAll(async () => {
    await opened.closeAll();
    await Promise.all(peers.map((p) => p.stop()));
  });

  it('fails a send with a HydraTimeoutError naming service, route and attempts after its own deadline', async () => {
    const startedAt = Date.now();
    const error = await firstValueFrom(client.send({ to: `${target}:/v1/slow`, timeoutMs: 150 }, {})).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(HydraTimeoutError);
    expect((error as Error).message).toBe(
      `no reply from ${target} to "${target}:/v1/slow" within 150 ms (1 attempt); ` +
        'is a handler for it registered, and is the service healthy? Raise timeoutMs for slow handlers.',
    );
    expect(Date.now() - startedAt).toBeLessThan(1000);
  });

  it('emits to one instance, or to every instance with broadcast: true', async () => {
    heard.length = 0;
    await firstValueFrom(client.emit({ to: `${target}:/`, typ: 'one' }, { n: 1 }));
    await firstValueFrom(client.emit({ to: `${target}:/`, typ: 'all', broadcast: true }, { n: 2 }));
    await eventually(() => heard.length === 3);
    expect(heard.filter(([, m]) => m.typ === 'one')).toHaveLength(1);
    expect(new Set(heard.filter(([, m]) => m.typ === 'all').map(([id]) => id)).size).toBe(2);
  });

  it('rejects a pattern that is neither a route string nor { to }', async () => {
    const error = await firstValueFrom(client.send({ route: 'x' } as never, {})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/pattern must be a route string/);
  });

  it('refuses to send once the application closed, instead of waiting for ever', async () => {
    await app.close();
    const error = await firstValueFrom(client.send(`${target}:/`, {})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HydraStateError);
    expect((error as Error).message).toMatch(/the Hydra instance is stopped/);
  });
});
