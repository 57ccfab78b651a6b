/**
 * Options of a `HydraTransport`. Under `HydraModule` none are needed: the module starts and stops the
 * application's Hydra instance.
 *
 * @example
 * const hydra = new Hydra({ serviceName: 'images-svc', redis: { url: 'redis://127.0.0.1:6379/15' } });
 * const app = await NestFactory.createMicroservice(AppModule, {
 *   strategy: new HydraTransport(hydra, { manageLifecycle: true }),
 * });
 */
export interface HydraTransportOptions {
  /**
   * Start the Hydra instance in `listen()` when it is not running yet, and stop it in `close()` when
   * the transport started it. For a transport built by hand around its own instance (with
   * `createMicroservice`); leave it off under `HydraModule`, whose lifecycle does both. Default false.
   */
  manageLifecycle?: boolean;
}
