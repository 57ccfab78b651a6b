import { HttpException } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';

/** An error as it travels back to the caller in a UMF error reply (see core's `errorBody`). */
export interface UmfFailure {
  /** HTTP-style status: 400 bad input, 403 refused by a guard, 404 no handler, 500 handler failure... */
  statusCode: number;
  /** The error's class name, e.g. `BadRequestException`. */
  name: string;
  /** What went wrong, e.g. the validation messages joined with `; `. */
  message: string;
  /** Structured detail, e.g. the list of validation messages. */
  details?: unknown;
}

/** Marks an object produced by {@link toUmfFailure}. */
export const UMF_FAILURE = Symbol('hydra-nest:umf-failure');

/** Nest's own RPC message for a guard that refused (`RpcException('Forbidden resource')`). */
const FORBIDDEN = 'Forbidden resource';

/**
 * Turns whatever a UMF handler (or its pipes, guards, interceptors, filters) threw into a
 * {@link UmfFailure}:
 * - `HttpException` keeps its status and response (a `ValidationPipe` error keeps the messages that
 *   name each field, joined in `message` and listed in `details`);
 * - `RpcException` keeps its error: a string becomes a 400 (403 for a guard's `Forbidden resource`),
 *   an object gives `statusCode`/`status`, `name`, `message` and is the `details`;
 * - what Nest's default RPC filter produced (`{ status: 'error', message }`) keeps its message;
 * - any other error becomes a 500 with its name and message (or its own numeric `statusCode`).
 *
 * @example
 * toUmfFailure(new NotFoundException('no image 7')); // { statusCode: 404, name: 'NotFoundException', message: 'no image 7' }
 */
export function toUmfFailure(exception: unknown): UmfFailure & { [UMF_FAILURE]: true } {
  if (isUmfFailure(exception)) return exception;
  return Object.assign(describe(exception), { [UMF_FAILURE]: true as const });
}

/** Whether `value` is a {@link UmfFailure} made by {@link toUmfFailure}. */
export function isUmfFailure(value: unknown): value is UmfFailure & { [UMF_FAILURE]: true } {
  return (
    typeof value === 'object' && value !== null && (value as { [UMF_FAILURE]?: true })[UMF_FAILURE] === true
  );
}

function describe(exception: unknown): UmfFailure {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const messages =
      typeof response === 'object' && response !== null
        ? (response as { message?: unknown }).message
        : undefined;
    return Array.isArray(messages)
      ? {
          statusCode: exception.getStatus(),
          name: exception.name,
          message: messages.join('; '),
          details: messages,
        }
      : { statusCode: exception.getStatus(), name: exception.name, message: exception.message };
  }
  if (exception instanceof RpcException) return fromObject(exception.getError(), 'RpcException', 400);
  if (exception instanceof Error) {
    const status = (exception as { statusCode?: unknown }).statusCode;
    return {
      statusCode: typeof status === 'number' ? status : 500,
      name: exception.name,
      message: exception.message,
    };
  }
  // Nest's default RPC filter rethrows `{ status: 'error', message }` objects.
  return fromObject(exception, 'Error', 500);
}

function fromObject(error: unknown, defaultName: string, defaultStatus: number): UmfFailure {
  if (typeof error === 'string') {
    return error === FORBIDDEN
      ? { statusCode: 403, name: 'ForbiddenException', message: error }
      : { statusCode: defaultStatus, name: defaultName, message: error };
  }
  if (typeof error !== 'object' || error === null) {
    return { statusCode: defaultStatus, name: defaultName, message: String(error) };
  }
  const e = error as {
    statusCode?: unknown;
    status?: unknown;
    message?: unknown;
    name?: unknown;
    error?: unknown;
  };
  const statusCode =
    typeof e.statusCode === 'number' ? e.statusCode : typeof e.status === 'number' ? e.status : undefined;
  const message = Array.isArray(e.message)
    ? e.message.join('; ')
    : typeof e.message === 'string'
      ? e.message
      : JSON.stringify(error);
  if (message === FORBIDDEN && statusCode === undefined) {
    return { statusCode: 403, name: 'ForbiddenException', message };
  }
  if (message === 'Internal server error' && e.status === 'error') {
    return { statusCode: 500, name: 'InternalServerError', message };
  }
  const name = typeof e.name === 'string' ? e.name : typeof e.error === 'string' ? e.error : defaultName;
  return { statusCode: statusCode ?? defaultStatus, name, message, details: error };
}
