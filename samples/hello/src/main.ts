import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { HydraTransport } from '@hydra-nest/nest';
import { AppModule } from './app.module.js';

/**
 * Starts the hello service: HTTP on PORT (default 3000), registered in Hydra's registry on the Redis of
 * REDIS_CLUSTER_NODES or REDIS_URL (see `redisFromEnv`).
 */
async function bootstrap() {
  const app = await NestFactory.create(AppModule, { logger: ['log', 'warn', 'error'] });
  // SIGTERM / SIGINT run Nest's shutdown hooks, so the instance deregisters at once.
  app.enableShutdownHooks();
  // Hybrid app: HTTP routes and UMF handlers (over Hydra's Redis channels) in one process.
  app.connectMicroservice({ strategy: app.get(HydraTransport) });
  await app.startAllMicroservices();
  await app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
}

bootstrap().catch((error: Error) => {
  console.error(`hello-svc failed to start: ${error.message}`);
  process.exit(1);
});
