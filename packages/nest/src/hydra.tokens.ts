/**
 * Injection token of the core `Hydra` instance that `HydraModule` creates, starts and stops.
 * Prefer the {@link InjectHydra} decorator; the token is for `inject: [HYDRA]` in factories.
 *
 * @example
 * { provide: 'BILLING', useFactory: (hydra: Hydra) => hydra.discovery, inject: [HYDRA] }
 */
export const HYDRA = Symbol('hydra-nest:hydra');

/**
 * Injection token of the {@link HydraModuleOptions} given to `HydraModule.forRoot()` or produced by
 * the `forRootAsync()` factory.
 *
 * @example
 * constructor(@Inject(HYDRA_MODULE_OPTIONS) private readonly options: HydraModuleOptions) {}
 */
export const HYDRA_MODULE_OPTIONS = Symbol('hydra-nest:module-options');
