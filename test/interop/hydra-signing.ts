import { createRequire } from 'node:module';

// Interop helper: UMF signatures as the real `hydra` 1.9.3 package makes and checks them, in this
// process (its UMF helpers need no Redis and no started instance).

interface HydraUmfMessage {
  to?: string;
  mid?: string;
  from?: string;
  body?: unknown;
  signature?: string;
  signMessage(algorithm: string, secret: string): void;
  toShort(): object;
  toJSON(): object;
}

interface HydraPackage {
  createUMFMessage(input: object): HydraUmfMessage;
  getUMFMessageHelper(): {
    createMessage(input: object): HydraUmfMessage;
    parseRoute(to: string): { serviceName: string; apiRoute: string };
  };
  getUtilsHelper(): { safeJSONParse(text: string): object | undefined };
}

const hydra = createRequire(import.meta.url)('hydra') as HydraPackage;

/** A message Hydra created from `input` and signed: its signature, and its text in both forms. */
export interface HydraSigned {
  signature: string;
  /** What Hydra publishes: `JSON.stringify(umf.toShort())`. */
  short: string;
  /** What hydra-router's own test client sends over WebSocket: `JSON.stringify(umf)`, the long form. */
  long: string;
}

/** `hydra.createUMFMessage(input).signMessage(algorithm, secret)`, as a Hydra 1.x service signs. */
export function hydraSign(input: object, secret: string, algorithm = 'sha256'): HydraSigned {
  const umf = hydra.createUMFMessage(input);
  umf.signMessage(algorithm, secret);
  return { signature: umf.signature!, short: JSON.stringify(umf.toShort()), long: JSON.stringify(umf) };
}

/** What hydra-router's check answers for a received text. */
export type RouterVerdict = 'accepted' | 'invalid UMF message' | 'not signed' | 'invalid signature';

/**
 * hydra-router 1.9.15's check of an incoming message with `forceMessageSignature` on (servicerouter.js,
 * `wsMessageHandler`), step by step with hydra's own helpers: parse the text, re-create the message
 * with hydra's UMF, require `to`, `from` and `body`, then re-sign it with `sha256` and
 * `signatureSharedSecret` and compare the new signature with the one received.
 */
export function hydraRouterCheck(text: string, signatureSharedSecret: string): RouterVerdict {
  const parsed = hydra.getUtilsHelper().safeJSONParse(text);
  if (!parsed) return 'invalid UMF message';
  const msg = hydra.getUMFMessageHelper().createMessage(parsed);
  if (!msg.to || !msg.from || !msg.body) return 'invalid UMF message';
  const oldSig = msg.signature;
  if (!oldSig) return 'not signed';
  msg.signMessage('sha256', signatureSharedSecret);
  return oldSig === msg.signature ? 'accepted' : 'invalid signature';
}

/** What Hydra publishes for a message object: `safeJSONStringify(createMessage(message).toShort())`. */
function hydraPublished(message: object): string {
  return JSON.stringify(hydra.getUMFMessageHelper().createMessage(message).toShort());
}

/**
 * The text Hydra 1.x publishes for `hydra.sendReplyMessage(original, response)` (index.js,
 * `_sendReplyMessage`): the original's long form, overlaid with the reply addresses, then with the
 * response's long form; `signature` is the original's unless the response brings its own.
 */
export function hydraReply(original: object, response: object): string {
  const umf = hydra.getUMFMessageHelper();
  const longOriginal = umf.createMessage(original).toJSON() as Record<string, unknown>;
  const reply = Object.assign(
    longOriginal,
    { rmid: longOriginal.mid, to: longOriginal.from, from: longOriginal.to },
    umf.createMessage(response).toJSON(),
  );
  if (longOriginal.via) reply.to = longOriginal.via;
  if (longOriginal.forward) reply.forward = longOriginal.forward;
  return hydraPublished(reply);
}

/**
 * The text hydra-router 1.9.15 publishes when it routes a WebSocket client's message (already checked)
 * to an instance of a service (servicerouter.js, end of `wsMessageHandler`): the message's long form
 * overlaid with a new message of the same `mid` addressed to the instance, with the router as `via`
 * (which also brings a new `timestamp`). The client's signature travels on unchanged.
 */
export function hydraRouterForward(text: string, instanceId: string, routerVia: string): string {
  const umf = hydra.getUMFMessageHelper();
  const msg = umf.createMessage(hydra.getUtilsHelper().safeJSONParse(text)!);
  const route = umf.parseRoute(msg.to!);
  const newMsg = umf.createMessage({
    mid: msg.mid,
    to: `${instanceId}@${route.serviceName}:${route.apiRoute}`,
    via: routerVia,
  });
  return hydraPublished(Object.assign(msg.toJSON(), newMsg.toJSON()));
}
