import { applyDecorators } from '@nestjs/common';
import { EventPattern } from '@nestjs/microservices';
import type { UmfHandlerOptions } from '../interfaces/umf-handler-options.interface.js';
import { HYDRA_TRANSPORT } from '../server/hydra-transport.constants.js';
import { UseUmfErrorFilter } from './umf-handler.decorator.js';

/**
 * Handles one-way UMF messages (events, broadcasts) on `HydraTransport`: same patterns as
 * `@UmfHandler()`, but nothing is ever sent back, and every handler of the pattern runs (in declaration
 * order). Errors are logged, since there is nobody to tell.
 *
 * @example
 * @UmfEventHandler('cache.flush')
 * flush(@Payload() body: { keys: string[] }, @Ctx() ctx: UmfContext) { this.cache.drop(body.keys); }
 */
export function UmfEventHandler(
  pattern: string | string[],
  options: UmfHandlerOptions = {},
): MethodDecorator {
  const decorators = [EventPattern<string | string[]>(pattern, HYDRA_TRANSPORT, options.extras)];
  if (options.errorFilter !== false) decorators.push(UseUmfErrorFilter());
  return applyDecorators(...decorators);
}
