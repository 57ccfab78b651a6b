import { UmfError } from './umf-error.js';

/**
 * Raw input that is not JSON, or JSON that is not an object, so it cannot be a UMF message at all.
 * The message shows what was received, truncated to about 80 characters.
 */
export class UmfParseError extends UmfError {
  override name = 'UmfParseError';

  /**
   * @param message - the full explanation.
   * @param received - the start of the raw input, truncated, for logs.
   * @param options - standard error options; `cause` holds the `JSON.parse` error when there is one.
   */
  constructor(
    message: string,
    readonly received: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
