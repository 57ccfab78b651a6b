import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual, type Hmac, type KeyObject } from 'node:crypto';
import { UmfError } from './errors/umf-error.js';
import { appendMember, bodyText, jsonText } from './json-text.js';
import { longForm, toShort } from './message.js';
import { serializeWithBody } from './serialize.js';
import type { UmfMessage } from './types.js';

/**
 * A shared signing secret: a string, as Hydra's `signMessage` takes it (its UTF-8 bytes are the HMAC
 * key), or a `KeyObject` made once from those bytes with `crypto.createSecretKey`, which saves a little
 * on every message.
 */
export type UmfSecret = string | KeyObject;

/**
 * Signs a message as Hydra's `signMessage(algo, secret)` does: HMAC over `JSON.stringify` of the
 * long form without `signature` (keys in long-form order, only truthy fields), as a hex digest.
 * Returns a new message with `sig` set; the input is not changed. To sign in place, set
 * `m.sig = messageSignature(m, secret)`, or use {@link signAndSerialize} just before sending.
 *
 * Sign last: any later change to a field (including a new `mid`) invalidates the signature.
 *
 * @param algorithm - any HMAC digest `node:crypto` knows; hydra-router checks with `sha256`.
 * @throws {@link UmfError} when the secret is empty or the algorithm unknown.
 * @example
 * ```ts
 * const signed = signMessage(createMessage({ to: 'a:/', frm: 'b:/', bdy: {} }), process.env.UMF_SECRET!);
 * verifySignature(signed, [process.env.UMF_SECRET!]); // true
 * ```
 */
export function signMessage(m: UmfMessage, secret: UmfSecret, algorithm = 'sha256'): UmfMessage {
  // Normalise first so nothing generated afterwards (a missing mid or ts) escapes the signature.
  const signed = toShort(m);
  const hadSig = signed.sig !== undefined;
  signed.sig = messageSignature(signed, secret, algorithm);
  // A key added last prints last: a second pass puts `sig` in its wire-order place in the object.
  return hadSig ? signed : toShort(signed);
}

/**
 * The signature Hydra's `signMessage(algorithm, secret)` would give `m` (hex), whatever `m.sig` holds.
 * `m` is read as it is, not normalised: give it its `mid` and `ts` first (`createMessage` does).
 *
 * @throws {@link UmfError} when the secret is empty or the algorithm unknown.
 * @example
 * ```ts
 * reply.sig = messageSignature(reply, secret); // sign in place, after the last change to the message
 * ```
 */
export function messageSignature(m: UmfMessage, secret: UmfSecret, algorithm = 'sha256'): string {
  checkSecret(secret);
  return hmac(secret, algorithm)
    .update(signedText(m, bodyText(m.bdy)))
    .digest('hex');
}

/**
 * Signs `m` in place (sets `m.sig`, as {@link messageSignature}) and returns its wire text, exactly
 * what `serializeMessage(m)` then gives; the body is turned into JSON once for both. Call it where the
 * message is published, after its last change.
 *
 * @throws {@link UmfError} when the secret is empty or the algorithm unknown.
 * @example
 * ```ts
 * await redis.publish(channel, signAndSerialize(message, secret));
 * ```
 */
export function signAndSerialize(m: UmfMessage, secret: UmfSecret, algorithm = 'sha256'): string {
  checkSecret(secret);
  const body = bodyText(m.bdy);
  m.sig = hmac(secret, algorithm).update(signedText(m, body)).digest('hex');
  return serializeWithBody(m, body);
}

/**
 * Checks `m.sig` against the signature Hydra's `signMessage` would compute with each of `secrets` in
 * turn (put the current one first, then older ones still accepted while a new secret is rolled out),
 * comparing in constant time. `false` when `sig` is missing, not a string, or matches none.
 *
 * @throws {@link UmfError} when no secret is given, one is empty, or the algorithm is unknown (a
 *   configuration mistake, not a bad message).
 * @example
 * ```ts
 * verifySignature(message, [currentSecret, previousSecret]);
 * ```
 */
export function verifySignature(
  m: UmfMessage,
  secrets: UmfSecret | readonly UmfSecret[],
  algorithm = 'sha256',
): boolean {
  const list: readonly UmfSecret[] = Array.isArray(secrets) ? secrets : [secrets as UmfSecret];
  if (list.length === 0) {
    throw new UmfError('cannot verify a UMF signature without a secret; give at least the current one');
  }
  for (const secret of list) checkSecret(secret);
  const sig: unknown = m.sig;
  if (typeof sig !== 'string' || sig === '') return false;
  const given = Buffer.from(sig, 'utf8');
  // The canonical text is made once, however many secrets are tried.
  const text = signedText(m, bodyText(m.bdy));
  for (const secret of list) {
    const expected = Buffer.from(hmac(secret, algorithm).update(text).digest('hex'), 'latin1');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return true;
  }
  return false;
}

/**
 * What Hydra's `signMessage` hashes: `JSON.stringify` of the long form without `signature`, built
 * member by member (see json-text.ts) rather than through a long-form object; `body` is the body's
 * JSON text, made by the caller so that it can reuse it. Messages without `to` take the reference path.
 */
function signedText(m: UmfMessage, body: string | undefined): string {
  const to = m.to ? jsonText(m.to, true) : undefined;
  if (to === undefined) return JSON.stringify(longForm(m, false));
  let json = '{"to":' + to;
  json = appendMember(json, ',"from":', m.frm, true);
  json = appendMember(json, ',"headers":', m.hdr);
  json = appendMember(json, ',"mid":', m.mid);
  json = appendMember(json, ',"rmid":', m.rmid);
  json = appendMember(json, ',"timeout":', m.tmo);
  json = appendMember(json, ',"timestamp":', m.ts);
  json = appendMember(json, ',"type":', m.typ, true);
  json = appendMember(json, ',"version":', m.ver, true);
  json = appendMember(json, ',"via":', m.via, true);
  json = appendMember(json, ',"forward":', m.fwd, true);
  if (body !== undefined) json += ',"body":' + body;
  json = appendMember(json, ',"authorization":', m.aut);
  return json + '}';
}

function checkSecret(secret: UmfSecret): void {
  const empty =
    typeof secret === 'string'
      ? secret === ''
      : typeof secret !== 'object' ||
        secret === null ||
        secret.type !== 'secret' ||
        secret.symmetricKeySize === 0;
  if (empty) {
    throw new UmfError(
      'cannot sign or verify a UMF message with an empty or missing secret; configure the shared secret ' +
        '(a non-empty string, or a KeyObject from crypto.createSecretKey)',
    );
  }
}

function hmac(secret: UmfSecret, algorithm: string): Hmac {
  try {
    return createHmac(algorithm, secret);
  } catch (err) {
    throw new UmfError(
      `unknown HMAC algorithm "${algorithm}"; use one crypto.getHashes() lists, e.g. "sha256"`,
      { cause: err },
    );
  }
}
