import { applyDecorators } from '@nestjs/common';
import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants.js';
import { MessagePattern } from '@nestjs/microservices';
import { UmfExceptionFilter } from '../exceptions/umf-exception.filter.js';
import type { UmfHandlerOptions } from '../interfaces/umf-handler-options.interface.js';
import { HYDRA_TRANSPORT } from '../server/hydra-transport.constants.js';

const umfExceptionFilter = new UmfExceptionFilter();

/**
 * Handles UMF messages (request-reply) on `HydraTransport`. The pattern is either a route, matched
 * against the `to` of the message (`'[post]/v1/images'`, `'/v1/images'`, `'[get]/v1/images/:id'`), or a
 * message type matched against `typ` (`'image.resize'`); see `HandlerIndex` for the precedence.
 *
 * The handler gets `bdy` with `@Payload()` and the {@link UmfContext} with `@Ctx()`; what it returns
 * (value, Promise or Observable: its last value) is sent back as the reply with `rmid` set; what it
 * throws goes back as a UMF error reply that the caller's client raises as a typed `RemoteError`.
 * Pipes, guards, interceptors and exception filters apply as on `@MessagePattern()`. Replies are never
 * sent to broadcasts or to messages that are themselves replies. A falsy result (`undefined`, `null`,
 * `0`, `false`, `''`) is sent as `{}`, since Hydra peers drop falsy bodies.
 *
 * @example
 * @UmfHandler('[post]/v1/images')
 * @UsePipes(new ValidationPipe())
 * store(@Payload() image: ImageDto) { return this.images.store(image); }
 */
export function UmfHandler(pattern: string | string[], options: UmfHandlerOptions = {}): MethodDecorator {
  const decorators = [MessagePattern(pattern, HYDRA_TRANSPORT, options.extras)];
  if (options.errorFilter !== false) decorators.push(UseUmfErrorFilter());
  return applyDecorators(...decorators);
}

/**
 * Adds {@link UmfExceptionFilter} *before* the method's other filters in the metadata. Nest consults a
 * method's filters last-declared first, so the user's own `@UseFilters()` still see an error first,
 * whichever side of `@UmfHandler()` they are written on.
 */
export function UseUmfErrorFilter(): MethodDecorator {
  return (_target, _key, descriptor) => {
    const method = descriptor.value as object;
    const existing = (Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, method) as unknown[] | undefined) ?? [];
    Reflect.defineMetadata(EXCEPTION_FILTERS_METADATA, [umfExceptionFilter, ...existing], method);
    return descriptor;
  };
}
