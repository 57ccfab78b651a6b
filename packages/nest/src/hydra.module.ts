import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { HydraConfigurableModule } from './hydra-module-definition.js';
import { HydraExplorer } from './hydra.explorer.js';
import { HydraLifecycle } from './hydra.lifecycle.js';
import { httpErrorsFilterProvider, hydraProvider } from './hydra.providers.js';
import { HYDRA } from './hydra.tokens.js';
import { DiscoveryService } from './services/discovery.service.js';
import { FlightRecorderService } from './services/flight-recorder.service.js';
import { HealthService } from './services/health.service.js';
import { HydraConfigStore } from './services/hydra-config-store.service.js';
import { PresenceService } from './services/presence.service.js';
import { QueueService } from './queue/queue.service.js';
import { QueueWorkerExplorer } from './queue/queue-worker.explorer.js';
import { HydraClient } from './client/hydra.client.js';
import { MessagingService } from './services/messaging.service.js';
import { HydraTransport } from './server/hydra.transport.js';

const services = [
  PresenceService,
  HealthService,
  DiscoveryService,
  HydraConfigStore,
  FlightRecorderService,
  QueueService,
  MessagingService,
  HydraTransport,
  HydraClient,
];

/**
 * Makes a Nest application a Hydra service: one Hydra instance per application, started at bootstrap
 * (presence, node, health, the routes of `@Route()` handlers, the HTTP port) and deregistered at once on
 * shutdown. Global by default (`isGlobal: false` to opt out); exports the `HYDRA` instance and the
 * `PresenceService`, `HealthService`, `DiscoveryService`, `HydraConfigStore`, `FlightRecorderService` and
 * `QueueService` providers. `@QueueWorker()` handlers of any provider start consuming once Hydra is up,
 * and stop (gracefully) before it deregisters. Hydra-nest errors thrown in HTTP handlers are answered
 * with their HTTP status by the global `HydraHttpExceptionFilter` (`httpErrors: false` to opt out).
 *
 * @example
 * @Module({
 *   imports: [
 *     HydraModule.forRoot({ serviceName: 'users-svc', redis: { url: 'redis://127.0.0.1:6379/15' } }),
 *   ],
 *   controllers: [UsersController],
 * })
 * class AppModule {}
 *
 * @example
 * HydraModule.forRootAsync({
 *   imports: [ConfigModule],
 *   inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({
 *     serviceName: 'users-svc',
 *     redis: { url: config.getOrThrow('REDIS_URL') },
 *   }),
 * });
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    hydraProvider,
    httpErrorsFilterProvider,
    HydraExplorer,
    HydraLifecycle,
    QueueWorkerExplorer,
    ...services,
  ],
  exports: [HYDRA, ...services],
})
export class HydraModule extends HydraConfigurableModule {}
