import type { UmfMessage } from '@hydra-nest/umf';

/** Status texts as Hydra's ServerResponse uses them. */
const STATUS: Record<number, [string, string]> = {
  200: ['OK', 'Request succeeded without error'],
  201: ['Created', 'Resource created'],
  204: ['No Content', 'Request succeeded, nothing to return'],
  400: ['Bad Request', 'Request has invalid data'],
  401: ['Unauthorized', 'Access requires authentication'],
  403: ['Forbidden', 'Access to the resource is denied'],
  404: ['Not Found', 'Resource not found'],
  408: ['Request Timeout', 'The request timed out'],
  409: ['Conflict', 'The request conflicts with the current state'],
  413: ['Payload Too Large', 'The message is larger than the limit allows'],
  422: ['Unprocessable Entity', 'The request could not be processed'],
  500: ['Internal Server Error', 'An error occurred on the server'],
  502: ['Bad Gateway', 'The service called failed to answer'],
  503: ['Service Unavailable', 'Unavailable'],
  504: ['Gateway Timeout', 'The service called did not answer in time'],
};

/** The body of a hydra-nest error reply: Hydra's status object, plus the error itself. */
export interface UmfErrorBody {
  statusCode: number;
  statusMessage: string;
  statusDescription: string;
  result: { reason: string };
  error: { name: string; message: string; details?: unknown };
}

/** The `typ` of error replies. Hydra peers read the body as a Hydra status object. */
export const ERROR_REPLY_TYPE = 'error';

/** Builds the body of an error reply. */
export function errorBody(
  statusCode: number,
  name: string,
  message: string,
  details?: unknown,
): UmfErrorBody {
  const [statusMessage, statusDescription] =
    STATUS[statusCode] ?? STATUS[statusCode >= 500 ? 500 : statusCode >= 400 ? 400 : 200]!;
  const body: UmfErrorBody = {
    statusCode,
    statusMessage,
    statusDescription,
    result: { reason: message },
    error: { name, message },
  };
  if (details !== undefined) body.error.details = details;
  return body;
}

/** Whether a reply carries a hydra-nest error body. */
export function isErrorReply(message: UmfMessage): message is UmfMessage & { bdy: UmfErrorBody } {
  if (message.typ !== ERROR_REPLY_TYPE) return false;
  const body = message.bdy as Partial<UmfErrorBody> | undefined;
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof body.statusCode === 'number' &&
    typeof body.error === 'object' &&
    body.error !== null &&
    typeof body.error.message === 'string'
  );
}
