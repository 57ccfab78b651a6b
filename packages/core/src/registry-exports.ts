export * from './config-store.js';
export * from './discovery.js';
export * from './flight-recorder.js';
export * from './health.js';
export * from './instance-cache.js';
export * from './routes.js';
export * from './scan-keys.js';
