import type { ParamData } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core/helpers/external-context-creator.js';
import { RpcParamtype } from '@nestjs/microservices/enums/rpc-paramtype.enum.js';

/**
 * Fills the parameters of a `@QueueWorker()` handler as a microservice handler's: `@Payload(property?)`
 * gets the message body (or one of its properties), `@Job()` / `@Ctx()` the `QueueJob`. The handler is
 * called with the arguments `(payload, job)`.
 */
export class QueueParamsFactory implements ParamsFactory {
  exchangeKeyForValue(type: number, data: ParamData, args: unknown[]): unknown {
    if (type === RpcParamtype.PAYLOAD) {
      const payload = args[0] as Record<string, unknown> | undefined;
      return typeof data === 'string' && data ? payload?.[data] : payload;
    }
    if (type === RpcParamtype.CONTEXT) return args[1];
    return undefined;
  }
}
