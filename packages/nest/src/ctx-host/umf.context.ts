import { BaseRpcContext } from '@nestjs/microservices';
import { parseRoute, type UmfMessage, type UmfRoute } from '@hydra-nest/umf';

/**
 * What a {@link UmfContext} holds: the message, the channel it came on, whether it was a broadcast, and
 * the sender's deadline (ms since the epoch) when the message carried one in `tmo`.
 */
export type UmfContextArgs = [
  message: UmfMessage,
  channel: string,
  broadcast: boolean,
  deadline: number | undefined,
];

/**
 * The context of a UMF message, given to handlers with `@Ctx()`: the whole message, who sent it, the
 * channel it came on, whether it was a broadcast, and when its sender gives up.
 *
 * @example
 * @UmfHandler('[post]/v1/images')
 * store(@Payload() image: ImageDto, @Ctx() ctx: UmfContext) {
 *   this.logger.log(`image from ${ctx.getSender().service}, mid ${ctx.getMessage().mid}`);
 * }
 *
 * @example Stop long work once nobody waits for it
 * @UmfHandler('[post]/v1/reports')
 * async build(@Payload() query: ReportQuery, @Ctx() ctx: UmfContext) {
 *   return this.reports.build(query, { signal: ctx.getSignal() });
 * }
 */
export class UmfContext extends BaseRpcContext<UmfContextArgs> {
  private signal: AbortSignal | undefined;

  constructor(message: UmfMessage, channel: string, broadcast: boolean, deadline?: number) {
    super([message, channel, broadcast, deadline]);
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

  /**
   * When the sender gives up on this request, in ms since the epoch: the time left that it sent in
   * `tmo`, counted from receipt. Undefined when the message carried none (Hydra 1.x senders, events).
   */
  getDeadline(): number | undefined {
    return this.args[3];
  }

  /**
   * An `AbortSignal` that aborts when the deadline passes (with a `TimeoutError` reason), for work that
   * can stop: `fetch`, database drivers, loops that check `signal.aborted`. Never aborts when the
   * message carried no deadline.
   */
  getSignal(): AbortSignal {
    if (this.signal) return this.signal;
    const deadline = this.args[3];
    if (deadline === undefined) this.signal = new AbortController().signal;
    else {
      const left = deadline - Date.now();
      this.signal = left > 0 ? AbortSignal.timeout(left) : AbortSignal.abort(timeoutReason());
    }
    return this.signal;
  }
}

function timeoutReason(): DOMException {
  return new DOMException('the sender’s deadline has passed', 'TimeoutError');
}
