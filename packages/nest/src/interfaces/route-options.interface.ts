/**
 * Options of the {@link Route} decorator.
 *
 * @example
 * @Controller('v1/users')
 * @Route() // publish every handler of this controller...
 * class UsersController {
 *   @Get('internal/stats')
 *   @Route({ publish: false }) // ...except this one
 *   stats() {}
 * }
 */
export interface RouteOptions {
  /**
   * Whether the handler is published in Hydra's route set. Default `true`. `false` on a method opts it
   * out of a class-level `@Route()`.
   */
  publish?: boolean;
}
