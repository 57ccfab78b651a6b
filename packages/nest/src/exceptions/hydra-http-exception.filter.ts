import { Catch, Injectable, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { HydraError } from '@hydra-nest/core';
import { UmfError } from '@hydra-nest/umf';
import { throwError, type Observable } from 'rxjs';
import { toHttpErrorBody } from './hydra-http-error.js';

/**
 * Answers hydra-nest errors thrown in HTTP handlers with the right status, as `HydraModule` registers it
 * (global, unless `httpErrors: false`): 503 when no instance is there, 504 when no reply came in time,
 * the remote handler's own status and message, 400 for a malformed message, 413 for one too large (see
 * {@link toHttpErrorBody}). The body is Nest's `{ statusCode, message, error }` plus `service`.
 *
 * It catches nothing but hydra-nest errors (core's `HydraError`s, umf's `UmfError`s), and answers only
 * HTTP requests: in a UMF handler (`@UmfHandler(..., { errorFilter: false })` in an application whose
 * global filters reach its microservice) it hands the error on unchanged, for `HydraTransport` to send
 * back as a UMF error reply; in other contexts it rethrows it, as Nest's own filter there does.
 *
 * Your filters answer first when Nest consults them first: those of the method or controller, those of
 * `app.useGlobalFilters()`, and `APP_FILTER` providers of modules imported after `HydraModule`. Nest
 * consults global filters in reverse order of registration, so this one comes before the `APP_FILTER`s
 * of the module that imports `HydraModule` (the root module, usually) and of modules imported ahead of
 * it; to have those answer hydra-nest errors, set `httpErrors: false` and register this filter yourself
 * where it belongs in that order (`{ provide: APP_FILTER, useClass: HydraHttpExceptionFilter }`).
 *
 * @example
 * app.useGlobalFilters(new HydraHttpExceptionFilter(app.get(HttpAdapterHost))); // with httpErrors: false
 */
@Catch(HydraError, UmfError)
@Injectable()
export class HydraHttpExceptionFilter implements ExceptionFilter<HydraError | UmfError> {
  private static readonly logger = new Logger('HydraHttpExceptionFilter');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: HydraError | UmfError, host: ArgumentsHost): Observable<never> | void {
    const type = host.getType<string>();
    if (type === 'rpc') return throwError(() => exception);
    if (type !== 'http') throw exception;

    const adapter = this.adapterHost.httpAdapter;
    const body = toHttpErrorBody(exception);
    if (body.statusCode >= 500) {
      const request: unknown = host.getArgByIndex(0);
      const line =
        `${adapter.getRequestMethod?.(request) ?? ''} ${adapter.getRequestUrl?.(request) ?? ''} answered ` +
        `${body.statusCode}: ${exception.message}`;
      // A known outage (no instance, no reply, Redis gone) is a warning; anything else is an error, with
      // the stack that helps find it.
      if (body.statusCode === 500) HydraHttpExceptionFilter.logger.error(line, exception.stack);
      else HydraHttpExceptionFilter.logger.warn(line);
    }
    const response: unknown = host.getArgByIndex(1);
    if (adapter.isHeadersSent(response)) adapter.end(response);
    else adapter.reply(response, body, body.statusCode);
  }
}
