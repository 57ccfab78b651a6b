export * from './hydra-http-error.js';
export * from './hydra-http-exception.filter.js';
export * from './umf-exception.filter.js';
export * from './umf-failure.js';
