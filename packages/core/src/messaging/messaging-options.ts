import type { LoadBalancing } from '../instance-cache.js';
import type { SigningOptions } from './message-signing.js';

/** Messaging defaults of a Hydra instance (`HydraOptions.messaging`); each can be overridden per call. */
export interface MessagingOptions {
  /** How a target instance is chosen among those present. Default `'round-robin'`. */
  loadBalancing?: LoadBalancing;
  /**
   * Deadline of a request, ms. Default 5000, or the `tmo` (seconds) of the message when it has one. The
   * time left is sent with each attempt in `tmo`.
   */
  timeoutMs?: number;
  /**
   * Extra attempts on another instance, made only where the request cannot have run: none present, the
   * chosen one gone or not listening, or it answered that no handler took it. Default 2.
   */
  retries?: number;
  /**
   * How long messages that arrive before a handler is installed are kept, ms from `start()`. Then (or
   * when the application says it serves no UMF messages) requests are answered with a 503 error reply.
   * Default 3000.
   */
  handlerWaitMs?: number;
  /**
   * Enforced signing with shared secrets (current first, then previous ones still accepted): every
   * message sent is signed (Hydra 1.x's `signMessage`, sha256 by default); every message received
   * without a valid signature is refused and counted (`stats.unauthenticated`), a request with a 401
   * error reply. Default: off.
   */
  signing?: SigningOptions;
  /**
   * Largest message sent, in bytes of its JSON text; a larger one is refused with
   * `MessageTooLargeError` before anything is published (the Nest transport answers a handler's result
   * that large with a 413 error reply instead). Default 8 MiB (`DEFAULT_MAX_MESSAGE_BYTES`);
   * `Infinity` for no limit.
   */
  maxMessageBytes?: number;
}

/** Per-request options of {@link Messenger.request}. */
export interface RequestOptions {
  /** Deadline, ms, from the call to the reply (all attempts together). */
  timeoutMs?: number;
  /** Extra attempts on another instance, only when that is safe (nobody received the request). */
  retries?: number;
}
