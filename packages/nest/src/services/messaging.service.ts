import { Injectable } from '@nestjs/common';
import type { ApiRequestOptions, ApiResponse, Hydra, MessagingStats, RequestOptions } from '@hydra-nest/core';
import type { UmfInput, UmfMessage } from '@hydra-nest/umf';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';

/**
 * Hydra's messaging verbs for Nest providers: the same operations a Hydra 1.x service has, plus
 * promise-based request-reply.
 *
 * @example
 * const reply = await this.messaging.request({ to: 'users-svc:[get]/v1/users/7', bdy: {} });
 * await this.messaging.sendBroadcastMessage({ to: 'cache-svc:/', frm: 'users-svc:/', bdy: { flush: true } });
 */
@Injectable()
export class MessagingService {
  constructor(@InjectHydra() private readonly hydra: Hydra) {}

  /** Sends to one instance (named with `instance@service:`, else load-balanced); resolves the sent message. */
  sendMessage(message: UmfInput): Promise<UmfMessage> {
    return this.hydra.messaging.sendMessage(message);
  }

  /** Sends to every instance of the service in `to`. */
  sendBroadcastMessage(message: UmfInput): Promise<UmfMessage> {
    return this.hydra.messaging.sendBroadcastMessage(message);
  }

  /** Replies to a received message (to its `via`, else its `frm`), with `rmid` set. */
  sendReplyMessage(original: UmfMessage, response: UmfInput): Promise<UmfMessage> {
    return this.hydra.messaging.sendReplyMessage(original, response);
  }

  /** Sends a request and resolves the reply message (rejects with a typed error on failure). */
  request(message: UmfInput, options?: RequestOptions): Promise<UmfMessage> {
    return this.hydra.messaging.request(message, options);
  }

  /** An HTTP call to a discovered instance: `to` = `service:[method]/path`. Resolves Hydra's response object. */
  makeAPIRequest(message: UmfInput, options?: ApiRequestOptions): Promise<ApiResponse> {
    return this.hydra.messaging.makeAPIRequest(message, options);
  }

  /** Counters: received, replies, malformed, sent, timeouts, retries. */
  get stats(): MessagingStats {
    return this.hydra.messaging.stats;
  }
}
