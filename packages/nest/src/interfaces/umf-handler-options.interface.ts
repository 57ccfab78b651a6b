/**
 * Options of `@UmfHandler()` and `@UmfEventHandler()`.
 *
 * @example
 * @UmfHandler('[post]/v1/images', { extras: { audit: true } })
 */
export interface UmfHandlerOptions {
  /**
   * Values attached to the handler, as `@MessagePattern()`'s `extras` (the transport's handler has them
   * as `handler.extras`).
   */
  extras?: Record<string, unknown>;
  /**
   * Turn errors into UMF error replies with the built-in `UmfExceptionFilter`. It sits after the
   * method's own `@UseFilters()`, which still run first, but catches everything they leave, so class-level
   * and global filters are not reached. Set false to have them reached; errors that no filter handles
   * then reach the caller as Nest's generic 500 `Internal server error` (RpcExceptions keep their error).
   * Default true.
   */
  errorFilter?: boolean;
}
