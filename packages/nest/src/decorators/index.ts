export * from './inject-hydra.decorator.js';
export * from './route.decorator.js';
