import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import {
  errorBody,
  ERROR_REPLY_TYPE,
  LogThrottle,
  MessageTooLargeError,
  RouteCache,
  type Hydra,
} from '@hydra-nest/core';
import type { UmfMessage, UmfRoute } from '@hydra-nest/umf';
import { UmfContext } from '../ctx-host/umf.context.js';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';
import { toUmfFailure, type UmfFailure } from '../exceptions/umf-failure.js';
import type { HydraTransportOptions } from '../interfaces/hydra-transport-options.interface.js';
import { HandlerIndex } from './handler-index.js';
import { HYDRA_TRANSPORT, HYDRA_TRANSPORT_OPTIONS } from './hydra-transport.constants.js';

/** Patterns listed in a "no handler" error reply. */
const PATTERNS_LISTED = 12;
/** Characters of a path or type quoted in a "no handler" error reply. */
const QUOTED_MAX = 200;

const preview = (text: string) => (text.length > QUOTED_MAX ? `${text.slice(0, QUOTED_MAX)}...` : text);

/**
 * The UMF transport: serves `@UmfHandler()` / `@UmfEventHandler()` methods with the messages that reach
 * this service over Hydra's channels (`hydra:service:mc:<svc>` and `hydra:service:mc:<svc>:<id>`), from
 * hydra-nest and Hydra 1.x senders alike, and answers the way Hydra's `sendReplyMessage` does.
 *
 * - A handler's result goes back as a reply with `rmid`; an error as a UMF error reply (Hydra's status
 *   object plus `error: { name, message, details }`, `typ: 'error'`).
 * - A message no handler serves gets a 404-style error reply naming the route and `typ` asked for, so
 *   that no sender waits for a timeout. A result too large to send (`messaging.maxMessageBytes`) gets a
 *   413 error reply instead.
 * - Broadcasts and messages that are themselves replies (`rmid` set) are never answered.
 * - Pattern precedence: see `HandlerIndex`.
 *
 * @example Hybrid application (HTTP + UMF), under HydraModule
 * const app = await NestFactory.create(AppModule);
 * app.connectMicroservice({ strategy: app.get(HydraTransport) });
 * await app.startAllMicroservices();
 * await app.listen(3000);
 *
 * @example Microservice with its own Hydra instance
 * const hydra = new Hydra({ serviceName: 'images-svc', redis: { url: 'redis://127.0.0.1:6379/15' } });
 * const app = await NestFactory.createMicroservice(AppModule, {
 *   strategy: new HydraTransport(hydra, { manageLifecycle: true }),
 * });
 * await app.listen();
 */
@Injectable()
export class HydraTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = HYDRA_TRANSPORT;
  protected override readonly logger = new Logger('HydraTransport');
  private index: HandlerIndex<MessageHandler> = new HandlerIndex([]);
  private readonly routes = new RouteCache();
  /** Failures nobody is answered about (events, broadcasts, replies): logged once a second at most. */
  private readonly failureLog = new LogThrottle(1000);
  private unansweredFailures = 0;
  private startedHydra = false;
  private readonly options: HydraTransportOptions;

  constructor(
    @InjectHydra() private readonly hydra: Hydra,
    @Optional() @Inject(HYDRA_TRANSPORT_OPTIONS) options?: HydraTransportOptions,
  ) {
    super();
    this.options = options ?? {};
  }

  /**
   * Starts serving: indexes the handlers once and takes the messages of the Hydra instance (those that
   * arrived since it registered are served first). With `manageLifecycle`, also starts the instance.
   */
  listen(callback: (error?: unknown) => void): void {
    this.index = new HandlerIndex(this.messageHandlers);
    this.hydra.messaging.setHandler(this.onMessage);
    if (!this.options.manageLifecycle || this.hydra.state !== 'new') return callback();
    this.startedHydra = true;
    this.hydra.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  /** Stops serving; stops the Hydra instance too when this transport started it. */
  async close(): Promise<void> {
    this.hydra.messaging.setHandler(undefined);
    if (this.startedHydra) await this.hydra.stop();
  }

  /** No transport events of its own: the core instance logs connection changes. */
  on(): void {
    // nothing to subscribe to
  }

  /** The Hydra instance this transport serves. */
  unwrap<T>(): T {
    return this.hydra as T;
  }

  private readonly onMessage = (
    message: UmfMessage,
    broadcast: boolean,
    channel: string,
    deadline: number | undefined,
  ): Promise<void> | undefined => {
    const route = this.route(message.to);
    if (!route) return;
    const handler = this.index.find(message, route);
    // Replies and broadcasts never get an answer: a reply would loop, a broadcast has many receivers.
    const answers = message.rmid === undefined && !broadcast;
    if (!handler) {
      if (answers) return this.replyFailure(message, this.notFound(message, route));
      return;
    }
    const context = new UmfContext(message, channel, broadcast, deadline);
    // The promise tells core when the message is handled (the end of its trace span); it never rejects.
    if (handler.isEventHandler) return this.runEvent(handler, message, context);
    return this.runRequest(handler, message, context, answers);
  };

  private async runRequest(
    handler: MessageHandler,
    message: UmfMessage,
    context: UmfContext,
    answers: boolean,
  ): Promise<void> {
    let value: unknown;
    try {
      const result: unknown = await handler(message.bdy, context);
      value = isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result;
    } catch (error) {
      if (answers) return this.replyFailure(message, toUmfFailure(error));
      return this.logFailure(message, error);
    }
    if (!answers) return;
    try {
      await this.hydra.messaging.reply(message, value || {});
    } catch (error) {
      // Not sent at all: the caller learns why now rather than at its deadline.
      if (error instanceof MessageTooLargeError) {
        return this.replyFailure(message, {
          statusCode: error.statusCode,
          name: error.name,
          message: `the handler's result was not sent back: ${error.message}`,
        });
      }
      // A result JSON cannot write (a BigInt, nesting deeper than JSON.stringify goes): a 500 instead.
      if (error instanceof TypeError || error instanceof RangeError) {
        return this.replyFailure(message, {
          statusCode: 500,
          name: error.name,
          message: `the handler's result could not be written as JSON, so it was not sent back: ${error.message}`,
        });
      }
      this.logger.debug?.(
        `reply to ${message.frm} (mid ${message.mid}) not sent: ${(error as Error).message}`,
      );
    }
  }

  /** Runs every event handler of the pattern (Nest chains them on `next`), never replying. */
  private async runEvent(first: MessageHandler, message: UmfMessage, context: UmfContext): Promise<void> {
    for (let handler: MessageHandler | undefined = first; handler; handler = handler.next) {
      try {
        const result: unknown = await handler(message.bdy, context);
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
      } catch (error) {
        this.logFailure(message, error);
      }
    }
  }

  private route(to: string): UmfRoute | undefined {
    try {
      return this.routes.parse(to);
    } catch {
      return undefined; // validated on receipt; unreachable in practice
    }
  }

  private notFound(message: UmfMessage, route: UmfRoute): UmfFailure {
    const asked =
      `"${route.method ? `[${route.method}]` : ''}${preview(route.path || '/')}"` +
      (message.typ ? ` (typ "${preview(message.typ)}")` : '');
    const patterns = this.index.patterns;
    const served = patterns.length
      ? patterns
          .slice(0, PATTERNS_LISTED)
          .map((p) => `"${p}"`)
          .join(', ') + (patterns.length > PATTERNS_LISTED ? `, ... (${patterns.length} in all)` : '')
      : 'none (is HydraTransport connected, and are its handlers decorated with @UmfHandler?)';
    return {
      statusCode: 404,
      name: 'NotFound',
      message: `${this.hydra.serviceName} has no UMF handler for ${asked}; it serves: ${served}`,
    };
  }

  private async replyFailure(message: UmfMessage, failure: UmfFailure): Promise<void> {
    try {
      const body = errorBody(failure.statusCode, failure.name, failure.message, failure.details);
      await this.hydra.messaging.reply(message, body, ERROR_REPLY_TYPE);
    } catch (error) {
      this.logger.debug?.(
        `error reply to ${message.frm} (mid ${message.mid}) not sent: ${(error as Error).message}`,
      );
    }
  }

  private logFailure(message: UmfMessage, error: unknown): void {
    this.unansweredFailures++;
    if (!this.failureLog.due()) return;
    const failure = toUmfFailure(error);
    this.logger.warn(
      `handler for ${message.typ ? `typ "${message.typ.slice(0, 120)}"` : `"${message.to.slice(0, 120)}"`} failed ` +
        `(${failure.statusCode} ${failure.name}: ${failure.message}); no reply is sent to a broadcast, event ` +
        `or reply [${this.unansweredFailures} such failures so far]`,
    );
  }
}
