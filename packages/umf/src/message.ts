import { randomUUID } from 'node:crypto';
import { isoNow } from './clock.js';
import { kindOf } from './describe.js';
import { UmfValidationError } from './errors/umf-validation-error.js';
import { UMF_VERSION, type UmfInput, type UmfLongMessage, type UmfMessage } from './types.js';

/**
 * Creates a UMF message in short form from short or long keys, the way Hydra's `createMessage` does.
 *
 * - `mid` (UUID v4 with dashes), `ts` (`new Date().toISOString()`) and `ver` ({@link UMF_VERSION})
 *   are generated when absent or empty.
 * - When both spellings of a field are given, the long one wins if truthy (`from` over `frm`).
 * - Other fields are copied only when truthy, as Hydra does; unknown fields are dropped.
 * - `bdy` is the exception: it is kept even when falsy so that validation can say what is wrong
 *   (Hydra would silently drop it).
 * - Nothing is validated: a missing `to` stays missing. Use `assertValidMessage` before sending.
 *
 * Keys of the result are in wire order: `to, frm, hdr, mid, rmid, sig, tmo, ts, typ, ver, via, fwd,
 * bdy, aut`.
 *
 * @example
 * ```ts
 * const m = createMessage({ to: 'users:[get]/v1/users', from: 'web:/', body: {} });
 * // { to: 'users:[get]/v1/users', frm: 'web:/', mid: '…36 chars…', ts: '2026-…Z', ver: 'UMF/1.4.6', bdy: {} }
 * ```
 */
export function createMessage(input: UmfInput): UmfMessage {
  return toShort(input);
}

/**
 * Converts a message with short or long keys (or a mix) to the short form. Same rules as
 * {@link createMessage}, including generating `mid`, `ts` and `ver` when missing, so the result is
 * always a complete `UmfMessage` shape; use it to read long-form messages from Hydra peers or HTTP.
 *
 * @example
 * ```ts
 * toShort({ to: 'a:/', from: 'b:/', mid: 'm1', timestamp: '2026-11-22T17:17:15.974Z', version: 'UMF/1.4.6', body: {} });
 * // { to: 'a:/', frm: 'b:/', mid: 'm1', ts: '2026-11-22T17:17:15.974Z', ver: 'UMF/1.4.6', bdy: {} }
 * ```
 */
export function toShort(input: UmfInput | UmfLongMessage): UmfMessage {
  if (input === null || typeof input !== 'object') {
    throw new UmfValidationError([
      { field: '(message)', message: `a UMF message must be an object, got ${kindOf(input)}` },
    ]);
  }
  const i = input as UmfInput;
  // Properties are added in wire order so that the object itself prints in that order too.
  const m = {} as UmfMessage;
  if (i.to) m.to = i.to;
  const frm = i.from || i.frm;
  if (frm) m.frm = frm;
  const hdr = i.headers || i.hdr;
  if (hdr) m.hdr = hdr;
  m.mid = i.mid || randomUUID();
  if (i.rmid) m.rmid = i.rmid;
  const sig = i.signature || i.sig;
  if (sig) m.sig = sig;
  const tmo = i.timeout || i.tmo;
  if (tmo) m.tmo = tmo;
  m.ts = i.timestamp || i.ts || isoNow();
  const typ = i.type || i.typ;
  if (typ) m.typ = typ;
  m.ver = i.version || i.ver || UMF_VERSION;
  if (i.via) m.via = i.via;
  const fwd = i.forward || i.fwd;
  if (fwd) m.fwd = fwd;
  const bdy = i.body || i.bdy;
  if (bdy) {
    m.bdy = bdy;
  } else {
    // Keep a falsy body (long spelling first) so validation can reject it with a useful message.
    const falsy = i.body !== undefined ? i.body : i.bdy;
    if (falsy !== undefined) m.bdy = falsy;
  }
  const aut = i.authorization || i.aut;
  if (aut) m.aut = aut;
  return m;
}

/**
 * Converts a short-form message to the long form Hydra's `toJSON()` returns. As in Hydra, only
 * truthy fields are kept (a falsy `bdy` is dropped here).
 *
 * @example
 * ```ts
 * toLong(createMessage({ to: 'a:/', frm: 'b:/', bdy: { x: 1 } }));
 * // { to: 'a:/', from: 'b:/', mid: '…', timestamp: '…', version: 'UMF/1.4.6', body: { x: 1 } }
 * ```
 */
export function toLong(m: UmfMessage): UmfLongMessage {
  return longForm(m, true);
}

/**
 * The long form, optionally without `signature`: signatures are computed over exactly that.
 * @internal
 */
export function longForm(m: UmfMessage, withSignature: boolean): UmfLongMessage {
  const l = {} as UmfLongMessage;
  if (m.to) l.to = m.to;
  if (m.frm) l.from = m.frm;
  if (m.hdr) l.headers = m.hdr;
  if (m.mid) l.mid = m.mid;
  if (m.rmid) l.rmid = m.rmid;
  if (withSignature && m.sig) l.signature = m.sig;
  if (m.tmo) l.timeout = m.tmo;
  if (m.ts) l.timestamp = m.ts;
  if (m.typ) l.type = m.typ;
  if (m.ver) l.version = m.ver;
  if (m.via) l.via = m.via;
  if (m.fwd) l.forward = m.fwd;
  if (m.bdy) l.body = m.bdy;
  if (m.aut) l.authorization = m.aut;
  return l;
}
