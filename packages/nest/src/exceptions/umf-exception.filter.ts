import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';
import { toUmfFailure } from './umf-failure.js';

/**
 * The exception filter every `@UmfHandler()` carries (unless `errorFilter: false`): it turns what the
 * handler, its pipes, guards or interceptors threw into a {@link UmfFailure}, which the transport sends
 * back as a UMF error reply and the caller's client raises as a typed `RemoteError`. It runs after the
 * method's own `@UseFilters()`. Failures with a status of 500 or more are logged with their stack.
 *
 * @example
 * @UseFilters(new UmfExceptionFilter()) // on a @MessagePattern(..., HYDRA_TRANSPORT) method of your own
 */
@Catch()
export class UmfExceptionFilter implements RpcExceptionFilter<unknown> {
  private static readonly logger = new Logger('UmfExceptionFilter');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const failure = toUmfFailure(exception);
    if (failure.statusCode >= 500) {
      UmfExceptionFilter.logger.error(
        `UMF handler failed: ${failure.message}`,
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    return throwError(() => failure);
  }
}
