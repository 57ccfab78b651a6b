/**
 * The transport id of hydra-nest's UMF transport. `@UmfHandler()` binds handlers to it, so they are
 * served by {@link HydraTransport} only, never by another transport of a hybrid application.
 */
export const HYDRA_TRANSPORT = Symbol('hydra-nest:umf');
