import { Catch, HttpException, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';

/** An error as it travels back to the caller in a UMF error reply. */
export interface UmfFailure {
  statusCode: number;
  name: string;
  message: string;
  details?: unknown;
}

/** Marks an object produced by {@link toUmfFailure}. */
export const UMF_FAILURE = Symbol('hydra-nest:umf-failure');

/**
 * Turns whatever a UMF handler threw into a {@link UmfFailure}: an `HttpException` keeps its status and
 * response (a `ValidationPipe` error keeps the messages naming each field), an `RpcException` its error,
 * any other error becomes a 500 with its message.
 */
export function toUmfFailure(exception: unknown): UmfFailure & { [UMF_FAILURE]: true } {
  const failure = describe(exception);
  return Object.assign(failure, { [UMF_FAILURE]: true as const });
}

function describe(exception: unknown): UmfFailure {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const messages =
      typeof response === 'object' && response !== null
        ? (response as { message?: unknown }).message
        : undefined;
    return {
      statusCode: exception.getStatus(),
      name: exception.name,
      message: Array.isArray(messages) ? messages.join('; ') : exception.message,
      details: Array.isArray(messages) ? messages : undefined,
    };
  }
  if (exception instanceof RpcException) {
    const error = exception.getError();
    // Nest's guards reject RPC calls with this RpcException; give it the status HTTP would.
    if (error === 'Forbidden resource')
      return { statusCode: 403, name: 'ForbiddenException', message: error };
    if (typeof error === 'string') return { statusCode: 400, name: 'RpcException', message: error };
    const e = error as { statusCode?: unknown; status?: unknown; message?: unknown; name?: unknown };
    const status =
      typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : 400;
    return {
      statusCode: status,
      name: typeof e.name === 'string' ? e.name : 'RpcException',
      message: typeof e.message === 'string' ? e.message : JSON.stringify(error),
      details: error,
    };
  }
  if (exception instanceof Error) {
    const status = (exception as { statusCode?: unknown }).statusCode;
    return {
      statusCode: typeof status === 'number' ? status : 500,
      name: exception.name,
      message: exception.message,
    };
  }
  return { statusCode: 500, name: 'Error', message: String(exception) };
}

/**
 * The exception filter every `@UmfHandler()` carries: it hands the failure to the transport, which sends
 * it back as a UMF error reply that the caller's client raises as a typed `RemoteError`.
 */
@Catch()
export class UmfExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => toUmfFailure(exception));
  }
}
