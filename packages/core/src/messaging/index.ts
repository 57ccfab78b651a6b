export * from './error-replies.js';
export * from './http-request.js';
export * from './incoming-messages.js';
export * from './messaging-errors.js';
export * from './messenger.js';
export * from './pending-requests.js';
export * from './request-dispatcher.js';
export * from './route-cache.js';
