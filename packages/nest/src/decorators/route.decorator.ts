import { DiscoveryService as NestDiscoveryService } from '@nestjs/core';
import type { RouteOptions } from '../interfaces/route-options.interface.js';

/**
 * Publishes HTTP handlers in Hydra's route set (`hydra:service:<svc>:service:routes`), where
 * hydra-router and `makeAPIRequest` callers find them. On a method (beside `@Get()`, `@Post()`, ...) it
 * publishes that handler; on a controller class it publishes every handler of the controller.
 *
 * Routes are `[method]/full/path` strings: the global prefix, any `RouterModule` path, the URI version,
 * the controller path and the method path, e.g. `[get]/api/v1/users/:id`. A handler on `@All()` is
 * published once per common verb (`[get]`, `[post]`, `[put]`, `[patch]`, `[delete]`), because Hydra
 * route strings name one method each. Optional segments `{/:id}` become route-parser's `(/:id)`.
 *
 * @example
 * @Controller('users')
 * class UsersController {
 *   @Get(':id')
 *   @Route() // "[get]/users/:id"
 *   find(@Param('id') id: string) {}
 * }
 *
 * @Controller('orders')
 * @Route() // every handler of the controller
 * class OrdersController {}
 */
export const Route = NestDiscoveryService.createDecorator<RouteOptions>();
