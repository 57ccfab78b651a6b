import type { UmfIssue, UmfMessage } from '../types.js';
import { UmfError } from './umf-error.js';

/**
 * A message that is well-formed JSON but not a UMF message Hydra peers would accept.
 * `issues` lists every problem found, not just the first.
 *
 * @example
 * ```ts
 * // err.message: 'invalid UMF message: "to" is required (a route like "service:/path")'
 * // err.issues:  [{ field: 'to', message: '"to" is required (a route like "service:/path")' }]
 * ```
 */
export class UmfValidationError extends UmfError {
  override name = 'UmfValidationError';

  /**
   * @param issues - every problem found (at least one).
   * @param umf - the message that failed, when it was an object, so a caller can still log its
   *   `mid` or answer it. Nothing in it is guaranteed.
   */
  constructor(
    readonly issues: UmfIssue[],
    readonly umf?: Partial<UmfMessage>,
  ) {
    super(`invalid UMF message: ${issues.map((issue) => issue.message).join('; ')}`);
  }
}
