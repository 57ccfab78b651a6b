// The public surface of messaging: what applications, the Nest layer and tools use. The moving parts
// (publisher, dispatcher, correlator) stay internal.
export { ERROR_REPLY_TYPE, errorBody, isErrorReply, type UmfErrorBody } from './error-replies.js';
export type { ApiRequestOptions, ApiResponse } from './http-request.js';
export { DEFAULT_HANDLER_WAIT_MS, NOT_SERVING, type IncomingHandler } from './incoming-messages.js';
export {
  DEFAULT_SIGNING_ALGORITHM,
  MessageSigner,
  type SignatureCheck,
  type SigningOptions,
} from './message-signing.js';
export { DEFAULT_MAX_MESSAGE_BYTES } from './message-size.js';
export type { MessagingContext } from './messaging-context.js';
export {
  HydraTimeoutError,
  MessageTooLargeError,
  MessageSignatureError,
  MessagingConnectionError,
  RemoteError,
  ServiceUnavailableError,
} from './messaging-errors.js';
export { Messenger } from './messenger.js';
export type { MessageKind, MessagingObserver, ReceivedKind, RefusalReason } from './messaging-observer.js';
export type { MessagingOptions, RequestOptions } from './messaging-options.js';
export type { MessagingStats } from './messaging-stats.js';
export { RouteCache } from './route-cache.js';
