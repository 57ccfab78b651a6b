/**
 * Base class of every error this package throws, so callers can tell UMF problems apart from
 * transport or application errors with one `instanceof` check.
 *
 * @example
 * ```ts
 * try {
 *   parseMessage(raw);
 * } catch (err) {
 *   if (err instanceof UmfError) logger.warn(`dropped a bad message: ${err.message}`);
 *   else throw err;
 * }
 * ```
 */
export class UmfError extends Error {
  override name = 'UmfError';
}
