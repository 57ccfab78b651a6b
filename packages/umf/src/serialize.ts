import { Buffer } from 'node:buffer';
import { kindOf, preview } from './describe.js';
import { appendMember, bodyText, jsonText } from './json-text.js';
import { UmfParseError } from './errors/umf-parse-error.js';
import { toShort } from './message.js';
import type { UmfMessage } from './types.js';
import { assertValidMessage } from './validate.js';

/**
 * Options of {@link parseMessage}.
 */
export interface ParseMessageOptions {
  /**
   * Validate the message after normalising it (default `true`). Set `false` to accept whatever
   * Hydra itself would accept on receipt (any JSON object), e.g. to log or inspect bad messages.
   */
  validate?: boolean;
}

/**
 * Serialises a message to compact JSON in short form, byte-identical to what Hydra 1.9.3 emits
 * (`JSON.stringify(umf.toShort())`): keys in the order `to, frm, hdr, mid, rmid, sig, tmo, ts, typ,
 * ver, via, fwd, bdy, aut`, each only when truthy, unknown keys dropped.
 *
 * Byte identity matters beyond looks: Hydra removes queued messages with `LREM` by the exact string.
 *
 * `tmo` stands in for the message's own: a request's time left changes at each attempt, and writing it
 * into the message object instead would change the object's shape on the hot path.
 *
 * Two Hydra behaviours follow from this and are intended: a falsy `bdy` is left out (validation
 * rejects such messages anyway), and `Error` objects inside the body print as `{}` (Hydra's own
 * publisher expands them; convert errors to plain objects before sending).
 *
 * @example
 * ```ts
 * serializeMessage({ bdy: { n: 1 }, ver: 'UMF/1.4.6', ts: '2026-11-22T17:17:15.974Z', mid: 'm1', frm: 'b:/', to: 'a:/' });
 * // '{"to":"a:/","frm":"b:/","mid":"m1","ts":"2026-11-22T17:17:15.974Z","ver":"UMF/1.4.6","bdy":{"n":1}}'
 * ```
 */
export function serializeMessage(m: UmfMessage, tmo: number | undefined = m.tmo): string {
  return serializeWithBody(m, bodyText(m.bdy), tmo);
}

/**
 * {@link serializeMessage} with the body's JSON text already made (`bodyText(m.bdy)`), so that signing
 * and serialising a message stringify its body once.
 * @internal
 */
export function serializeWithBody(
  m: UmfMessage,
  body: string | undefined,
  tmo: number | undefined = m.tmo,
): string {
  // Built member by member (see json-text.ts): the envelope then costs about half the instructions it
  // does in JSON.stringify of the whole message (a ~100 B message: 3,300 fewer, callgrind). Every valid
  // message has `to`; anything else takes the generic path.
  const to = m.to ? jsonText(m.to, true) : undefined;
  if (to === undefined) return serializeGeneric(m);
  let json = '{"to":' + to;
  json = appendMember(json, ',"frm":', m.frm, true);
  json = appendMember(json, ',"hdr":', m.hdr);
  json = appendMember(json, ',"mid":', m.mid);
  json = appendMember(json, ',"rmid":', m.rmid);
  json = appendMember(json, ',"sig":', m.sig);
  json = appendMember(json, ',"tmo":', tmo);
  json = appendMember(json, ',"ts":', m.ts);
  json = appendMember(json, ',"typ":', m.typ, true);
  json = appendMember(json, ',"ver":', m.ver, true);
  json = appendMember(json, ',"via":', m.via, true);
  json = appendMember(json, ',"fwd":', m.fwd, true);
  if (body !== undefined) json += ',"bdy":' + body;
  json = appendMember(json, ',"aut":', m.aut);
  return json + '}';
}

/** The reference form of {@link serializeMessage}, for messages without a `to`. */
function serializeGeneric(m: UmfMessage): string {
  // One literal in wire order: JSON.stringify skips the `undefined` members, which gives Hydra's
  // "only when truthy" rule without building the object key by key.
  return JSON.stringify({
    to: m.to || undefined,
    frm: m.frm || undefined,
    hdr: m.hdr || undefined,
    mid: m.mid || undefined,
    rmid: m.rmid || undefined,
    sig: m.sig || undefined,
    tmo: m.tmo || undefined,
    ts: m.ts || undefined,
    typ: m.typ || undefined,
    ver: m.ver || undefined,
    via: m.via || undefined,
    fwd: m.fwd || undefined,
    bdy: m.bdy || undefined,
    aut: m.aut || undefined,
  });
}

/**
 * Parses a raw message (from Redis pub/sub, a queue list or HTTP) into a short-form message.
 *
 * Like Hydra's receive path it accepts short or long keys (long wins), drops unknown fields and
 * generates a missing `mid`, `ts` or `ver`. Unlike Hydra it then validates (see `validateMessage`),
 * unless `options.validate` is `false`.
 *
 * @throws {@link UmfParseError} when the input is not JSON or not a JSON object; the message shows
 *   what was received (about 80 characters).
 * @throws `UmfValidationError` when the message breaks a rule; `issues` lists them all and `umf`
 *   holds the normalised message.
 * @example
 * ```ts
 * const m = parseMessage('{"to":"a:/","from":"b:/","body":{"n":1}}');
 * // { to: 'a:/', frm: 'b:/', mid: '…generated…', ts: '…now…', ver: 'UMF/1.4.6', bdy: { n: 1 } }
 * ```
 */
export function parseMessage(raw: string | Buffer, options?: ParseMessageOptions): UmfMessage {
  const text = typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : undefined;
  if (text === undefined) {
    throw new UmfParseError(`a raw UMF message must be a string or Buffer, got ${kindOf(raw)}`, kindOf(raw));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UmfParseError(
      `UMF message is not valid JSON (${(err as Error).message}); received ${preview(text)}`,
      preview(text),
      { cause: err },
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UmfParseError(
      `UMF message must be a JSON object, received ${kindOf(value)} ${preview(text)}`,
      preview(text),
    );
  }
  const m = toShort(value);
  if (options?.validate !== false) assertValidMessage(m);
  return m;
}
