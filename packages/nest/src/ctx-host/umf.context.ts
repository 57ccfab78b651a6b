import { BaseRpcContext } from '@nestjs/microservices';
import { parseRoute, type UmfMessage, type UmfRoute } from '@hydra-nest/umf';

/**
 * The context of a UMF message, given to handlers with `@Ctx()`: the whole message, who sent it and
 * whether it came as a broadcast.
 *
 * @example
 * @UmfHandler('[post]/v1/images')
 * store(@Payload() image: ImageDto, @Ctx() ctx: UmfContext) {
 *   this.logger.log(`image from ${ctx.getSender().service}, mid ${ctx.getMessage().mid}`);
 * }
 */
export class UmfContext extends BaseRpcContext<[UmfMessage, boolean]> {
  constructor(message: UmfMessage, broadcast: boolean) {
    super([message, broadcast]);
  }

  /** The message, in UMF short form. */
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

  /** True when the message was sent to every instance of the service. */
  isBroadcast(): boolean {
    return this.args[1];
  }
}
