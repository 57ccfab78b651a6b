export * from './hydra-terminus.module.js';
export * from './hydra.health-indicator.js';
