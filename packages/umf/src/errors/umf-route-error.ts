import { UmfError } from './umf-error.js';

/**
 * A route string (`to`, `frm`, `via`...) that cannot be parsed, or route parts that cannot be
 * formatted into one. The message quotes the route, says what is wrong and shows the expected form.
 */
export class UmfRouteError extends UmfError {
  override name = 'UmfRouteError';

  /**
   * @param route - the offending route (or, for `formatRoute`, a description of the parts).
   * @param message - the full explanation.
   */
  constructor(
    readonly route: unknown,
    message: string,
  ) {
    super(message);
  }
}
