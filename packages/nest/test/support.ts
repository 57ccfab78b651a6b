import 'reflect-metadata';
import { Module, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Hydra, silentLogger } from '@hydra-nest/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import type { RedisProcess } from '../../../test/harness/redis.js';
import { HydraModule, HydraTransport } from '../src/index.js';

/** Nest applications and Redis clients a test file opened; `closeAll()` in `afterEach`. */
export class Opened {
  private readonly apps: INestApplication[] = [];
  private readonly clients: Redis[] = [];

  /** Creates (not yet initialised) a silent Nest HTTP application and remembers it for `closeAll`. */
  async app(module: Type): Promise<INestApplication> {
    const app = await NestFactory.create(module, { logger: false, abortOnError: false });
    this.apps.push(app);
    return app;
  }

  /** A plain Redis client for reading what the module wrote. */
  redis(url: string): Redis {
    const client = new Redis(url, { maxRetriesPerRequest: null });
    client.on('error', () => undefined);
    this.clients.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled(this.apps.splice(0).map((app) => app.close()));
    for (const client of this.clients.splice(0)) client.disconnect();
  }
}

/** A unique, valid service name per test, so tests sharing one Redis never see each other. */
export function serviceName(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

/** The base URL an application listens on after `app.listen(0, '127.0.0.1')`. */
export function baseUrl(app: INestApplication): string {
  const address = app.getHttpServer().address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

/** What {@link useTransportApp} opens: the serving app, its service name, and a plain core caller. */
export interface TransportFixture {
  /** The service name the app registered under (unique per test file). */
  readonly name: string;
  /** The hybrid Nest application serving the controllers over `HydraTransport`. */
  readonly app: INestApplication;
  /** A core `Hydra` instance named `caller-svc` on the same Redis, to send requests from. */
  readonly caller: Hydra;
}

/**
 * Opens, in `beforeAll`, a hybrid Nest app that serves `controllers` over `HydraTransport` (service
 * `<prefix>-<random>`, Redis db 15 of `server`) and a core `caller-svc` instance to talk to it; closes
 * both in `afterAll`. Read the fixture's members inside tests, not at collection time.
 */
export function useTransportApp(server: RedisProcess, controllers: Type[], prefix: string): TransportFixture {
  const opened = new Opened();
  const name = serviceName(prefix);
  let app: INestApplication | undefined;
  let caller: Hydra | undefined;

  beforeAll(async () => {
    @Module({
      imports: [
        HydraModule.forRoot({
          serviceName: name,
          serviceIP: '127.0.0.1',
          logger: silentLogger,
          redis: { url: server.urlFor(15) },
        }),
      ],
      controllers,
    })
    class TransportTestModule {}
    app = await opened.app(TransportTestModule);
    app.connectMicroservice({ strategy: app.get(HydraTransport) });
    await app.startAllMicroservices();
    await app.init();
    caller = new Hydra({
      serviceName: 'caller-svc',
      logger: silentLogger,
      redis: { url: server.urlFor(15) },
    });
    await caller.start();
  });

  afterAll(async () => {
    await caller?.stop();
    await opened.closeAll();
  });

  const opening = (what: string): never => {
    throw new Error(`useTransportApp: the ${what} is opened in beforeAll; read it inside a test`);
  };
  return {
    name,
    get app() {
      return app ?? opening('app');
    },
    get caller() {
      return caller ?? opening('caller');
    },
  };
}
