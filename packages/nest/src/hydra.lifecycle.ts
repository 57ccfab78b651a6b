import {
  Inject,
  Injectable,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Hydra } from '@hydra-nest/core';
import { InjectHydra } from './decorators/inject-hydra.decorator.js';
import { HydraExplorer } from './hydra.explorer.js';
import { HYDRA_MODULE_OPTIONS } from './hydra.tokens.js';
import type { HydraModuleOptions } from './interfaces/hydra-module-options.interface.js';
import { mergeRoutes } from './utils/hydra-route-strings.js';
import { whenListening, type ListeningServer } from './utils/listening-port.js';

/**
 * Ties the core `Hydra` instance to the Nest application's lifecycle:
 * - bootstrap: connect, subscribe and register (presence, node, health), then publish the routes of
 *   `@Route()` handlers merged with `options.routes`, then publish the HTTP port once it is known;
 * - once the HTTP server listens, an application that connected no `HydraTransport` answers UMF
 *   requests with a 503 error reply at once, instead of leaving their senders waiting;
 * - shutdown: deregister at once (before the HTTP server closes, so callers stop choosing this
 *   instance) and close the connections.
 *
 * A Redis that cannot be reached makes bootstrap (`app.init()`, `app.listen()`) reject with core's
 * `RedisUnavailableError` ("Cannot reach Redis at ...").
 */
@Injectable()
export class HydraLifecycle
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown
{
  private stopWatchingPort: () => void = () => undefined;
  private markStarted!: () => void;
  private markFailed!: (error: unknown) => void;
  private readonly started = new Promise<void>((resolve, reject) => {
    this.markStarted = resolve;
    this.markFailed = reject;
  });

  constructor(
    @InjectHydra() private readonly hydra: Hydra,
    @Inject(HYDRA_MODULE_OPTIONS) private readonly options: HydraModuleOptions,
    private readonly explorer: HydraExplorer,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {
    // A failed start is reported by the bootstrap hook itself; waiters get the rejection too.
    this.started.catch(() => undefined);
  }

  /** Starts the instance and publishes its routes and HTTP port. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.hydra.start();
      if (this.options.register !== false) {
        await this.publishRoutes();
        this.publishHttpPort();
        this.declineMessagesUnlessServed();
      }
      this.markStarted();
    } catch (error) {
      this.markFailed(error);
      throw error;
    }
  }

  /**
   * Resolves once the instance runs and its routes are published, whichever order Nest calls the
   * bootstrap hooks in (NestJS 11 calls a module's hooks all at once, NestJS 12 in dependency order).
   */
  whenStarted(): Promise<void> {
    return this.started;
  }

  /** Deregisters at once, while the HTTP server still answers requests in flight. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Makes sure the instance is stopped (a no-op when `beforeApplicationShutdown` already did it). */
  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private async stop(): Promise<void> {
    this.stopWatchingPort();
    await this.hydra.stop();
  }

  /**
   * Publishes `options.routes` plus the `@Route()` handlers. An HTTP application publishes even when
   * it marked none, as hydra-express does, so Hydra's default `[get]/<service>` routes exist.
   */
  private async publishRoutes(): Promise<void> {
    const routes = mergeRoutes(this.options.routes, this.explorer.explore());
    if (routes.length > 0 || this.httpServer()) await this.hydra.registerRoutes(routes);
  }

  /** When no `servicePort` was configured, publishes the port the HTTP server listens on. */
  private publishHttpPort(): void {
    const configured = this.hydra.identity.port;
    if (this.options.publishHttpPort === false || (configured !== 0 && configured !== '0')) return;
    const server = this.httpServer();
    if (!server) return;
    this.stopWatchingPort = whenListening(server, (port) => {
      if (!this.hydra.running) return;
      // A port Hydra picks itself is stored as a number; this one is found the same way.
      this.hydra.identity.port = port;
      this.hydra.presence.refresh().catch((error: Error) => {
        this.hydra.logger.warn(
          `could not publish HTTP port ${port} yet (${error.message}); retrying each second`,
        );
      });
    });
  }

  /**
   * `main.ts` connects the transport before the HTTP server listens (`startAllMicroservices()`, then
   * `listen()`); an application still without a handler then serves HTTP only.
   */
  private declineMessagesUnlessServed(): void {
    const server = this.httpServer();
    if (!server) return; // no HTTP server: core's handlerWaitMs bounds the wait instead
    const stop = whenListening(server, () => {
      if (!this.hydra.running) return;
      this.hydra.messaging.declineMessages(
        `${this.hydra.serviceName} serves no UMF messages: its Nest application connected no HydraTransport ` +
          '(app.connectMicroservice({ strategy: app.get(HydraTransport) }) before app.listen())',
      );
    });
    const previous = this.stopWatchingPort;
    this.stopWatchingPort = () => {
      previous();
      stop();
    };
  }

  private httpServer(): ListeningServer | undefined {
    const adapter = this.adapterHost?.httpAdapter;
    const server: unknown = adapter?.getHttpServer?.();
    return server && typeof (server as ListeningServer).once === 'function'
      ? (server as ListeningServer)
      : undefined;
  }
}
