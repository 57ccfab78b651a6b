export * from './hydra-module-options.interface.js';
export * from './route-options.interface.js';
export * from './hydra-transport-options.interface.js';
export * from './umf-handler-options.interface.js';
