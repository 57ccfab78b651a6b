export * from './umf.context.js';
