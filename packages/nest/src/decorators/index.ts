export * from './inject-hydra.decorator.js';
export * from './route.decorator.js';
export * from './umf-event-handler.decorator.js';
export * from './umf-handler.decorator.js';
