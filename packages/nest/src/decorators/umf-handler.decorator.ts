import { applyDecorators, UseFilters } from '@nestjs/common';
import { EventPattern, MessagePattern } from '@nestjs/microservices';
import { UmfExceptionFilter } from '../filters/umf-exception.filter.js';
import { HYDRA_TRANSPORT } from '../transport/hydra-transport.constants.js';

/**
 * Handles UMF messages (request-reply) on {@link HydraTransport}. The pattern is either a route,
 * matched against the `to` of the message (`'[post]/v1/images'`, `'/v1/images'`, `'[get]/v1/images/:id'`),
 * or a message type matched against `typ` (`'image.resize'`). The handler gets `bdy` with `@Payload()`
 * and the {@link UmfContext} with `@Ctx()`; what it returns (value, Promise or Observable) is sent back
 * as the reply with `rmid` set; what it throws goes back as a UMF error reply. Pipes, guards,
 * interceptors and exception filters apply as on `@MessagePattern()`.
 *
 * @example
 * @UmfHandler('[post]/v1/images')
 * @UsePipes(new ValidationPipe())
 * store(@Payload() image: ImageDto) { return this.images.store(image); }
 */
export function UmfHandler(pattern: string | string[]): MethodDecorator {
  return applyDecorators(MessagePattern(pattern, HYDRA_TRANSPORT), UseFilters(new UmfExceptionFilter()));
}

/**
 * Handles one-way UMF messages (events, broadcasts) on {@link HydraTransport}: same patterns as
 * {@link UmfHandler}, but nothing is sent back.
 */
export function UmfEventHandler(pattern: string | string[]): MethodDecorator {
  return applyDecorators(
    EventPattern<string | string[]>(pattern, HYDRA_TRANSPORT),
    UseFilters(new UmfExceptionFilter()),
  );
}
