/**
 * The transport id of hydra-nest's UMF transport. `@UmfHandler()` binds handlers to it, so they are
 * served by `HydraTransport` only, never by another transport of a hybrid application.
 *
 * @example
 * @MessagePattern('[get]/v1/x', HYDRA_TRANSPORT) // what @UmfHandler('[get]/v1/x') does underneath
 */
export const HYDRA_TRANSPORT = Symbol('hydra-nest:umf');

/**
 * Injection token of the optional {@link HydraTransportOptions} of a `HydraTransport` built by DI.
 *
 * @example
 * { provide: HYDRA_TRANSPORT_OPTIONS, useValue: { manageLifecycle: false } }
 */
export const HYDRA_TRANSPORT_OPTIONS = Symbol('hydra-nest:transport-options');
