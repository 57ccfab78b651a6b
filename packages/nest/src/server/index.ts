export * from './handler-index.js';
export * from './hydra-transport.constants.js';
export * from './hydra.transport.js';
