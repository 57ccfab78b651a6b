import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { LogThrottle } from '@hydra-nest/core';
import { throwError, type Observable } from 'rxjs';
import { toUmfFailure } from './umf-failure.js';

/** Handler failures logged per second at most (a flood of bad input must not flood the log too). */
const FAILURES_LOGGED_PER_SECOND = 5;

/**
 * The exception filter every `@UmfHandler()` carries (unless `errorFilter: false`): it turns what the
 * handler, its pipes, guards or interceptors threw into a {@link UmfFailure}, which the transport sends
 * back as a UMF error reply and the caller's client raises as a typed `RemoteError`. It runs after the
 * method's own `@UseFilters()`. Failures with a status of 500 or more are logged with their stack, at
 * most 5 a second (process-wide); the next line logged says how many were not.
 *
 * @example
 * @UseFilters(new UmfExceptionFilter()) // on a @MessagePattern(..., HYDRA_TRANSPORT) method of your own
 */
@Catch()
export class UmfExceptionFilter implements RpcExceptionFilter<unknown> {
  private static readonly logger = new Logger('UmfExceptionFilter');
  private static readonly throttle = new LogThrottle(1000, FAILURES_LOGGED_PER_SECOND);

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const failure = toUmfFailure(exception);
    if (failure.statusCode >= 500 && UmfExceptionFilter.throttle.due()) {
      const held = UmfExceptionFilter.throttle.takeHeld();
      UmfExceptionFilter.logger.error(
        `UMF handler failed: ${failure.message}` +
          (held
            ? ` (${held} more handler failures were not logged, at most ${FAILURES_LOGGED_PER_SECOND} a second are)`
            : ''),
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    return throwError(() => failure);
  }
}
