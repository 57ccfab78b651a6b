import { Injectable, Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { errorBody, ERROR_REPLY_TYPE, type Hydra } from '@hydra-nest/core';
import { parseRoute, type UmfMessage, type UmfRoute } from '@hydra-nest/umf';
import { UmfContext } from '../ctx-host/umf.context.js';
import { InjectHydra } from '../decorators/inject-hydra.decorator.js';
import { toUmfFailure, UMF_FAILURE, type UmfFailure } from '../filters/umf-exception.filter.js';
import { HandlerIndex } from './handler-index.js';
import { HYDRA_TRANSPORT } from './hydra-transport.constants.js';

/**
 * The UMF transport: serves `@UmfHandler()` / `@UmfEventHandler()` methods with the messages that reach
 * this service over Hydra's channels (`hydra:service:mc:<svc>` and `hydra:service:mc:<svc>:<id>`),
 * from hydra-nest and Hydra 1.x senders alike, and sends replies the way Hydra's `sendReplyMessage` does.
 *
 * @example
 * const app = await NestFactory.create(AppModule);
 * app.connectMicroservice({ strategy: app.get(HydraTransport) });
 * await app.startAllMicroservices();
 * await app.listen(3000);
 */
@Injectable()
export class HydraTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = HYDRA_TRANSPORT;
  protected override readonly logger = new Logger('HydraTransport');
  private index: HandlerIndex<MessageHandler> | undefined;

  constructor(@InjectHydra() private readonly hydra: Hydra) {
    super();
  }

  /** Starts serving: builds the pattern index once and takes the messages of the Hydra instance. */
  listen(callback: (...optionalParams: unknown[]) => void): void {
    this.index = new HandlerIndex(this.messageHandlers);
    this.hydra.messaging.setHandler((message, broadcast) => void this.dispatch(message, broadcast));
    callback();
  }

  /** Stops serving (the Hydra instance itself is stopped by the module's lifecycle). */
  close(): void {
    this.hydra.messaging.setHandler(undefined);
  }

  on(): void {
    // The transport reports no events of its own: connection state is logged by the core instance.
  }

  unwrap<T>(): T {
    return this.hydra as T;
  }

  private async dispatch(message: UmfMessage, broadcast: boolean): Promise<void> {
    let route: UmfRoute;
    try {
      route = parseRoute(message.to);
    } catch {
      return;
    }
    const handler = this.index?.find(message, route);
    // Replies and broadcasts never get an answer: a reply would loop, a broadcast has many receivers.
    const answers = message.rmid === undefined && !broadcast;
    if (!handler) {
      if (answers) await this.replyFailure(message, this.notFound(message, route));
      return;
    }
    const context = new UmfContext(message, broadcast);
    try {
      const result = await handler(message.bdy, context);
      if (handler.isEventHandler || !answers) {
        if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
        return;
      }
      const value = isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result;
      await this.hydra.messaging.sendReplyMessage(message, { bdy: value ?? {} });
    } catch (error) {
      if (answers)
        await this.replyFailure(
          message,
          (error as { [UMF_FAILURE]?: true })[UMF_FAILURE] ? (error as UmfFailure) : toUmfFailure(error),
        );
      else
        this.logger.warn(
          `handler for ${message.typ ?? message.to} failed: ${(error as Error).message ?? error}`,
        );
    }
  }

  private notFound(message: UmfMessage, route: UmfRoute): UmfFailure {
    const asked =
      `"${route.method ? `[${route.method}]` : ''}${route.path || '/'}"` +
      (message.typ ? ` (typ "${message.typ}")` : '');
    const served = this.index?.patterns.map((p) => `"${p}"`).join(', ') || 'none';
    return {
      statusCode: 404,
      name: 'NotFound',
      message: `${this.hydra.serviceName} has no UMF handler for ${asked}; it serves: ${served}`,
    };
  }

  private async replyFailure(message: UmfMessage, failure: UmfFailure): Promise<void> {
    try {
      await this.hydra.messaging.sendReplyMessage(message, {
        typ: ERROR_REPLY_TYPE,
        bdy: errorBody(failure.statusCode, failure.name, failure.message, failure.details),
      });
    } catch (error) {
      this.logger.warn(`could not send the error reply for ${message.mid}: ${(error as Error).message}`);
    }
  }
}
