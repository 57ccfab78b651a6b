import { STATUS_CODES } from 'node:http';
import {
  HydraError,
  HydraStateError,
  HydraTimeoutError,
  MessageTooLargeError,
  MessagingConnectionError,
  QueueMessageError,
  RedisUnavailableError,
  RemoteError,
  ServiceUnavailableError,
} from '@hydra-nest/core';
import { UmfError, UmfValidationError } from '@hydra-nest/umf';

/**
 * The HTTP answer to a hydra-nest error: the body of Nest's own `HttpException`s
 * (`{ statusCode, message, error }`) plus the service concerned, when there is one.
 */
export interface HydraHttpErrorBody {
  /** The HTTP status, e.g. 503. */
  statusCode: number;
  /** What went wrong; one message per field for a validation failure, as Nest's `ValidationPipe` does. */
  message: string | string[];
  /** The status text, e.g. `Service Unavailable`. */
  error: string;
  /** The service that was called, for errors about one (no instance, no reply, its error reply). */
  service?: string;
}

/** Whether `exception` is a hydra-nest error: one of core's `HydraError`s or umf's `UmfError`s. */
export function isHydraNestError(exception: unknown): exception is HydraError | UmfError {
  return exception instanceof HydraError || exception instanceof UmfError;
}

/**
 * The HTTP answer to a hydra-nest error, as `HydraHttpExceptionFilter` sends it:
 * - no instance of the service (`ServiceUnavailableError`), Redis lost or the instance stopping
 *   (`MessagingConnectionError`, `RedisUnavailableError`, `HydraStateError`): 503;
 * - no reply in time (`HydraTimeoutError`): 504;
 * - a message over `maxMessageBytes` (`MessageTooLargeError`): 413;
 * - the remote handler's error reply (`RemoteError`): its own status and message (for a remote
 *   `ValidationPipe`, 400 and the messages naming each field); a remote 5xx keeps its status, but its
 *   message, which may describe the remote's internals, is replaced by one naming the service;
 * - a malformed message or route built from the request (umf's `UmfError`s, `QueueMessageError`): 400;
 * - any other hydra-nest error: its own `statusCode` if it has one, else Nest's generic 500.
 *
 * Use it in a filter of your own to answer hydra-nest errors in the same way.
 *
 * @example
 * catch(exception: unknown, host: ArgumentsHost) {
 *   if (isHydraNestError(exception)) {
 *     const body = toHttpErrorBody(exception);
 *     return host.switchToHttp().getResponse().status(body.statusCode).json({ ...body, requestId });
 *   }
 * }
 */
export function toHttpErrorBody(exception: HydraError | UmfError): HydraHttpErrorBody {
  const { statusCode, message, service } = describe(exception);
  const body: HydraHttpErrorBody = { statusCode, message, error: STATUS_CODES[statusCode] ?? 'Error' };
  if (service !== undefined) body.service = service;
  return body;
}

interface Described {
  statusCode: number;
  message: string | string[];
  service?: string;
}

function describe(exception: HydraError | UmfError): Described {
  if (exception instanceof RemoteError) return fromRemote(exception);
  if (exception instanceof ServiceUnavailableError) {
    return { statusCode: 503, message: exception.message, service: exception.service };
  }
  if (exception instanceof HydraTimeoutError) {
    return { statusCode: 504, message: exception.message, service: exception.service };
  }
  if (exception instanceof MessageTooLargeError) return { statusCode: 413, message: exception.message };
  if (
    exception instanceof MessagingConnectionError ||
    exception instanceof RedisUnavailableError ||
    exception instanceof HydraStateError
  ) {
    return { statusCode: 503, message: exception.message };
  }
  if (exception instanceof UmfValidationError) {
    return { statusCode: 400, message: exception.issues.map((issue) => issue.message) };
  }
  if (exception instanceof UmfError || exception instanceof QueueMessageError) {
    return { statusCode: 400, message: exception.message };
  }
  const own = (exception as { statusCode?: unknown }).statusCode;
  if (isErrorStatus(own)) return { statusCode: own, message: exception.message };
  // A configuration or programming error: nothing the client can act on, as Nest answers them.
  return { statusCode: 500, message: 'Internal server error' };
}

function fromRemote(error: RemoteError): Described {
  const statusCode = isErrorStatus(error.statusCode) ? error.statusCode : 502;
  if (statusCode >= 500) {
    return {
      statusCode,
      message: `${error.service} answered ${statusCode} ${STATUS_CODES[statusCode] ?? 'Error'}`,
      service: error.service,
    };
  }
  const details = error.details;
  const fieldMessages =
    Array.isArray(details) && details.length > 0 && details.every((d) => typeof d === 'string');
  return {
    statusCode,
    message: fieldMessages ? (details as string[]) : error.remoteMessage,
    service: error.service,
  };
}

function isErrorStatus(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= 400 && (value as number) <= 599;
}
