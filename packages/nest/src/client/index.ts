export * from './hydra.client.js';
