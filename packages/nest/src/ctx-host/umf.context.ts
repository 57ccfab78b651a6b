import { BaseRpcContext } from '@nestjs/microservices';
import { parseRoute, type UmfMessage, type UmfRoute } from '@hydra-nest/umf';

/** What a {@link UmfContext} holds: the message, the channel it came on, and whether it was a broadcast. */
export type UmfContextArgs = [message: UmfMessage, channel: string, broadcast: boolean];

/**
 * The context of a UMF message, given to handlers with `@Ctx()`: the whole message, who sent it, the
 * channel it came on and whether it was a broadcast.
 *
 * @example
 * @UmfHandler('[post]/v1/images')
 * store(@Payload() image: ImageDto, @Ctx() ctx: UmfContext) {
 *   this.logger.log(`image from ${ctx.getSender().service}, mid ${ctx.getMessage().mid}`);
 * }
 */
export class UmfContext extends BaseRpcContext<UmfContextArgs> {
  constructor(message: UmfMessage, channel: string, broadcast: boolean) {
    super([message, channel, broadcast]);
  }

  /** The message, in UMF short form (`to`, `frm`, `mid`, `typ`, `bdy`...). */
  getMessage(): UmfMessage {
    return this.args[0];
  }

  /** The parsed `frm` route: service, instance (when the sender named it), path. */
  getSender(): UmfRoute {
    return parseRoute(this.args[0].frm);
  }

  /** The parsed `to` route: service, method, path. */
  getRoute(): UmfRoute {
    return parseRoute(this.args[0].to);
  }

  /** The Redis channel the message came on (`hydra:service:mc:<svc>` or `...:<svc>:<instance>`). */
  getChannel(): string {
    return this.args[1];
  }

  /** True when the message was sent to every instance of the service (no reply is sent). */
  isBroadcast(): boolean {
    return this.args[2];
  }
}
