import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

/**
 * Starts image-svc: a queue worker (no HTTP application; its Prometheus metrics on PORT, default 3002),
 * registered in Hydra's registry on the Redis of REDIS_CLUSTER_NODES or REDIS_URL (see `redisFromEnv`).
 */
async function bootstrap() {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['log', 'warn', 'error'] });
  // SIGTERM / SIGINT: stop taking jobs, finish those in flight, deregister.
  app.enableShutdownHooks();
  await app.init();
}

bootstrap().catch((error: Error) => {
  console.error(`image-svc failed to start: ${error.message}`);
  process.exit(1);
});
