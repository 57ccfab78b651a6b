import { ConfigurableModuleBuilder } from '@nestjs/common';
import { HYDRA_MODULE_OPTIONS } from './hydra.tokens.js';
import type { HydraModuleOptions } from './interfaces/hydra-module-options.interface.js';

/**
 * Extras accepted by `forRoot()` / `forRootAsync()` beside the options. The module is global by
 * default: one Hydra instance per process, as in Hydra 1.x, injectable everywhere.
 */
export interface HydraModuleExtras {
  /** Register the module globally. Default `true`. */
  isGlobal?: boolean;
}

/**
 * The `forRoot` / `forRootAsync` pair of {@link HydraModule}, built by Nest's
 * `ConfigurableModuleBuilder`. `OPTIONS_TYPE` and `ASYNC_OPTIONS_TYPE` are the argument types.
 */
export const {
  ConfigurableModuleClass: HydraConfigurableModule,
  OPTIONS_TYPE: HYDRA_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: HYDRA_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<HydraModuleOptions>({
  moduleName: 'Hydra',
  optionsInjectionToken: HYDRA_MODULE_OPTIONS,
})
  .setClassMethodName('forRoot')
  .setExtras<HydraModuleExtras>({ isGlobal: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** What `HydraModule.forRoot()` takes: {@link HydraModuleOptions} plus `isGlobal`. */
export type HydraModuleForRootOptions = typeof HYDRA_OPTIONS_TYPE;

/** What `HydraModule.forRootAsync()` takes: `useFactory` + `inject` + `imports` (or `useClass` / `useExisting`). */
export type HydraModuleAsyncOptions = typeof HYDRA_ASYNC_OPTIONS_TYPE;
