import { Logger, type Provider } from '@nestjs/common';
import { APP_FILTER, HttpAdapterHost } from '@nestjs/core';
import { Hydra } from '@hydra-nest/core';
import { HydraHttpExceptionFilter } from './exceptions/hydra-http-exception.filter.js';
import { HYDRA, HYDRA_MODULE_OPTIONS } from './hydra.tokens.js';
import type { HydraModuleOptions } from './interfaces/hydra-module-options.interface.js';

/**
 * Builds the core `Hydra` instance from the module options. It is only created here (no connection is
 * opened); `HydraLifecycle` starts it at bootstrap. Routes are left out: the lifecycle publishes them
 * together with the `@Route()` handlers it finds, in one write.
 */
export function createHydra(options: HydraModuleOptions): Hydra {
  const {
    publishHttpPort: _publishHttpPort,
    httpErrors: _httpErrors,
    routes: _routes,
    ...hydraOptions
  } = options;
  return new Hydra({ ...hydraOptions, logger: options.logger ?? new Logger('Hydra') });
}

/** Provides the core `Hydra` instance under the {@link HYDRA} token. */
export const hydraProvider: Provider = {
  provide: HYDRA,
  useFactory: createHydra,
  inject: [HYDRA_MODULE_OPTIONS],
};

/**
 * Registers {@link HydraHttpExceptionFilter} as a global filter, unless `httpErrors: false` (Nest skips
 * a global enhancer whose factory returns `null`).
 */
export const httpErrorsFilterProvider: Provider = {
  provide: APP_FILTER,
  useFactory: (options: HydraModuleOptions, adapterHost: HttpAdapterHost) =>
    options.httpErrors === false ? null : new HydraHttpExceptionFilter(adapterHost),
  inject: [HYDRA_MODULE_OPTIONS, HttpAdapterHost],
};
