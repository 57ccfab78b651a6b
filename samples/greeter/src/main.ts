import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';

/** Starts greeter-svc: HTTP on PORT, calling hello-svc over UMF for every greeting. */
async function bootstrap() {
  const app = await NestFactory.create(AppModule, { logger: ['log', 'warn', 'error'] });
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3001), '127.0.0.1');
}

bootstrap().catch((error: Error) => {
  console.error(`greeter-svc failed to start: ${error.message}`);
  process.exit(1);
});
