import 'reflect-metadata';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';

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
