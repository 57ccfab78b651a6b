import type { HydraOptions, QueueOptions } from '@hydra-nest/core';

/**
 * Options of `HydraModule.forRoot()` (and what a `forRootAsync()` factory returns): everything the core
 * `Hydra` engine takes, plus what only makes sense inside a Nest application.
 *
 * @example
 * HydraModule.forRoot({
 *   serviceName: 'users-svc',
 *   serviceIP: '127.0.0.1',
 *   redis: { url: 'redis://127.0.0.1:6379/15' },
 *   routes: ['[get]/legacy/ping'], // merged with the routes of @Route() handlers
 * });
 */
export interface HydraModuleOptions extends HydraOptions {
  /**
   * When `servicePort` is not configured, publish the port the Nest HTTP server listens on (read when
   * it starts listening, e.g. `app.listen(0)`), so that `makeAPIRequest` callers and hydra-router can
   * reach this instance. Default `true`. Ignored when `servicePort` is set or there is no HTTP server.
   */
  publishHttpPort?: boolean;
  /**
   * Answer hydra-nest errors thrown in HTTP handlers with their HTTP status (503 no instance, 504 no
   * reply in time, a remote error's own status, 400 malformed message, 413 too large) through the
   * global `HydraHttpExceptionFilter`. Default `true`; `false` leaves them to Nest (a 500) and to your
   * own filters.
   */
  httpErrors?: boolean;
  /**
   * Work-queue options of `QueueService` (producing) and every `@QueueWorker()` consumer:
   * `maxMessageBytes` (default 8 MiB) refuses larger messages at `queueMessage` and moves larger ones
   * found in the queue to `mqincomplete` untouched.
   */
  queue?: QueueOptions;
}
