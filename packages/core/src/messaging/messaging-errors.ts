import type { UmfMessage } from '@hydra-nest/umf';
import { HydraError } from '../errors.js';

/** No instance of the service is present (or the named one is gone). HTTP-style status 503. */
export class ServiceUnavailableError extends HydraError {
  readonly statusCode = 503;
  constructor(
    readonly service: string,
    message: string,
  ) {
    super(message);
  }
}

/** No reply arrived before the deadline. */
export class HydraTimeoutError extends HydraError {
  readonly statusCode = 504;
  constructor(
    readonly service: string,
    readonly to: string,
    readonly attempts: number,
    readonly timeoutMs: number,
  ) {
    super(
      `no reply from ${service} to "${to}" within ${timeoutMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'}); ` +
        'is a handler for it registered, and is the service healthy? Raise timeoutMs for slow handlers.',
    );
  }
}

/**
 * The remote handler failed: its error came back as a UMF error reply. `statusCode`, `remoteName`,
 * `remoteMessage` and `details` are what the remote side reported (e.g. 400 and the validation messages
 * of a bad DTO). `reply` is the error reply itself, whole, for gateways that pass it on.
 */
export class RemoteError extends HydraError {
  /** The remote error's own message, without the service and status that `message` starts with. */
  readonly remoteMessage: string;

  constructor(
    readonly service: string,
    readonly statusCode: number,
    readonly remoteName: string,
    message: string,
    readonly details?: unknown,
    /** The error reply as received (all its fields), when the error came from one. */
    readonly reply?: UmfMessage,
  ) {
    super(`${service} answered ${statusCode} ${remoteName}: ${message}`);
    this.remoteMessage = message;
  }
}

/** The request could not finish because the connection to Redis went away or the instance stopped. */
export class MessagingConnectionError extends HydraError {}

/**
 * A message was not sent, or not queued, because its JSON text is larger than the limit
 * (`messaging.maxMessageBytes`, or `queue.maxMessageBytes` for `queueMessage`). HTTP-style status 413.
 * Nothing was published or queued: the Redis connection and every other message are unaffected.
 */
export class MessageTooLargeError extends HydraError {
  readonly statusCode = 413;
  constructor(
    /** The `to` of the message that was refused. */
    readonly to: string,
    /** Its size as UTF-8 JSON text. */
    readonly bytes: number,
    /** The limit it went over. */
    readonly limit: number,
    /** The option that set the limit. */
    readonly option: 'messaging.maxMessageBytes' | 'queue.maxMessageBytes' = 'messaging.maxMessageBytes',
  ) {
    super(
      option === 'queue.maxMessageBytes'
        ? `the message queued for "${to}" is ${bytes} bytes, over the ${limit}-byte limit (${option}), so it ` +
            'was not queued. Workers load each message whole, and one over the limit already in a queue is ' +
            'moved to mqincomplete untouched: queue a reference to the data (a Redis key, a URL) instead, or ' +
            `raise ${option} on producers and workers alike.`
        : `the UMF message to "${to}" is ${bytes} bytes, over the ${limit}-byte limit (${option}), ` +
            'so it was not sent. Redis disconnects a subscriber whose pub/sub output buffer outgrows its limit ' +
            '(32 MB by default), which would cut off every receiving instance: send a reference to the data ' +
            '(a Redis key, a URL) instead, or raise maxMessageBytes if your Redis allows larger messages.',
    );
  }
}

/**
 * An incoming message was refused because signing is enforced (`messaging.signing`) and it carried no
 * signature, or one that matches none of the secrets. HTTP-style status 401: a request gets it back as
 * an error reply; other messages are dropped.
 */
export class MessageSignatureError extends HydraError {
  readonly statusCode = 401;
  constructor(
    /** The `frm` of the refused message. */
    readonly from: string,
    /** Its `to`. */
    readonly to: string,
    /** `'unsigned'`: no `sig`; `'invalid'`: a `sig` that matches no secret. */
    readonly reason: 'unsigned' | 'invalid',
  ) {
    super(
      reason === 'unsigned'
        ? `the UMF message from "${from}" to "${to}" is not signed, and this service accepts only signed ` +
            'messages: sign it with the shared secret (messaging.signing in hydra-nest, ' +
            "umf.signMessage('sha256', secret) in Hydra 1.x)"
        : `the signature of the UMF message from "${from}" to "${to}" matches none of this service's ` +
            'secrets: check that the sender signs with the current shared secret and the same algorithm ' +
            '(sha256 by default), and signs after its last change to the message',
    );
  }
}
