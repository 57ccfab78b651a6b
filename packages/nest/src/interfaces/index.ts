export * from './hydra-module-options.interface.js';
export * from './route-options.interface.js';
