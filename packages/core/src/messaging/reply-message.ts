import { randomUUID } from 'node:crypto';
import { isoNow, UMF_VERSION, type UmfMessage } from '@hydra-nest/umf';

/**
 * The reply to a received (hence already validated) message, as Hydra 1.x's `sendReplyMessage(original,
 * { bdy, typ })` builds it: `rmid` = its `mid`, addressed to its `via` when set, else to its `frm`, and
 * `hdr`, `aut`, `via`, `fwd`, `sig` and `tmo` inherited. A falsy `bdy` keeps the original's body, as in
 * Hydra; pass `{}` instead. Built in one step, keys in wire order, without validating again.
 */
export function replyTo(original: UmfMessage, bdy: unknown, typ?: string): UmfMessage {
  return {
    to: original.via || original.frm,
    frm: original.to,
    hdr: original.hdr || undefined,
    mid: randomUUID(),
    rmid: original.mid,
    sig: original.sig || undefined,
    tmo: original.tmo || undefined,
    ts: isoNow(),
    typ: typ || original.typ || undefined,
    ver: UMF_VERSION,
    via: original.via || undefined,
    fwd: original.fwd || undefined,
    bdy: bdy || original.bdy,
    aut: original.aut || undefined,
  };
}
