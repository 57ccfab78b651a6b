/**
 * UMF (Universal Messaging Format) messages exactly as Hydra 1.9.3 reads and writes them: types,
 * creation and normalisation, route strings, wire serialisation, validation, replies and signatures.
 * No Redis, no Nest: only `node:crypto`.
 *
 * @packageDocumentation
 */
export { UMF_VERSION } from './types.js';
export type { UmfInput, UmfIssue, UmfLongMessage, UmfMessage } from './types.js';
export { formatRoute, parseRoute, routeKey } from './route.js';
export type { UmfRoute } from './route.js';
export { createMessage, toLong, toShort } from './message.js';
export { parseMessage, serializeMessage } from './serialize.js';
export type { ParseMessageOptions } from './serialize.js';
export { assertValidMessage, validateMessage } from './validate.js';
export { createReply, replyTarget } from './reply.js';
export { messageSignature, signAndSerialize, signMessage, verifySignature } from './signature.js';
export type { UmfSecret } from './signature.js';
export { UmfError, UmfParseError, UmfRouteError, UmfValidationError } from './errors/index.js';
export { isoNow } from './clock.js';
