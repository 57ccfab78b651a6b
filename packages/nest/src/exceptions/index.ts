export * from './umf-exception.filter.js';
export * from './umf-failure.js';
