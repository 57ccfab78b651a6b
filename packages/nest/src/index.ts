export * from './decorators/index.js';
export { HydraModule } from './hydra.module.js';
export type {
  HydraModuleAsyncOptions,
  HydraModuleExtras,
  HydraModuleForRootOptions,
} from './hydra-module-definition.js';
export { HydraExplorer } from './hydra.explorer.js';
export { HYDRA, HYDRA_MODULE_OPTIONS } from './hydra.tokens.js';
export * from './interfaces/index.js';
export * from './services/index.js';
export * from './queue/index.js';
export * from './client/index.js';
export * from './ctx-host/index.js';
export * from './exceptions/index.js';
export * from './server/index.js';
/** Messaging errors a `HydraClient` / `MessagingService` caller may catch with `instanceof`. */
export {
  HydraTimeoutError,
  MessageTooLargeError,
  MessagingConnectionError,
  RemoteError,
  ServiceUnavailableError,
} from '@hydra-nest/core';
/** Core types that the providers return, so that consumers need not depend on core themselves. */
export type {
  FlightRecord,
  HealthCheck,
  HealthCheckResult,
  HealthSnapshot,
  Hydra,
  HydraOptions,
  InstanceInfo,
  LoadBalancing,
  NodeEntry,
  NodeInfo,
  ServiceEntry,
  ServiceHealthReport,
  ApiRequestOptions,
  ApiResponse,
  MessagingStats,
  RequestOptions,
} from '@hydra-nest/core';
