import { toShort } from './message.js';
import type { UmfInput, UmfMessage } from './types.js';

/**
 * Where a reply to `original` must go: its `via` (an intermediary such as hydra-router) when set,
 * else its `frm`.
 *
 * @example
 * ```ts
 * replyTarget({ ...m, frm: 'abc@web:/', via: 'r1-c7@hydra-router:/' }); // 'r1-c7@hydra-router:/'
 * ```
 */
export function replyTarget(original: UmfMessage): string {
  return original.via || original.frm;
}

/**
 * Builds the reply to `original`, with the semantics of Hydra's `sendReplyMessage`:
 *
 * 1. start from the original, with `rmid` = original `mid`, `to` = original `frm`, `frm` = original `to`;
 * 2. overlay every truthy field of the normalised `response`; the response always brings a new
 *    `mid`, `ts` and `ver` (generated unless given), and its own `bdy`, `typ`... when given;
 * 3. then `to` = original `via` when the original had one, and `fwd` = original `fwd` when it had one.
 *
 * So, as with Hydra, the reply keeps the original's body when the response has none (or a falsy one),
 * and inherits the original's `typ`, `hdr`, `aut`, `via` and `sig` unless the response overrides
 * them. An inherited `sig` no longer matches: re-sign the reply if the receiver checks signatures.
 *
 * @example
 * ```ts
 * const reply = createReply(request, { bdy: { ok: true } });
 * // reply.to === replyTarget(request), reply.frm === request.to, reply.rmid === request.mid
 * ```
 */
export function createReply(original: UmfMessage, response: UmfInput): UmfMessage {
  const r = toShort(response);
  return toShort({
    to: original.via || r.to || original.frm,
    frm: r.frm || original.to,
    hdr: r.hdr || original.hdr,
    mid: r.mid,
    rmid: r.rmid || original.mid,
    sig: r.sig || original.sig,
    tmo: r.tmo || original.tmo,
    ts: r.ts,
    typ: r.typ || original.typ,
    ver: r.ver,
    via: r.via || original.via,
    fwd: original.fwd || r.fwd,
    // A falsy response body does not replace the original one, as in Hydra.
    bdy: r.bdy || original.bdy,
    aut: r.aut || original.aut,
  });
}
