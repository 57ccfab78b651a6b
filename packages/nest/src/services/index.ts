export * from './discovery.service.js';
export * from './flight-recorder.service.js';
export * from './health.service.js';
export * from './hydra-config-store.service.js';
export * from './presence.service.js';
export * from './messaging.service.js';
