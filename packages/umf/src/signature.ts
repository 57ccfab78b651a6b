import { Buffer } from 'node:buffer';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { UmfError } from './errors/umf-error.js';
import { longForm, toShort } from './message.js';
import type { UmfMessage } from './types.js';

/**
 * Signs a message as Hydra's `signMessage(algo, secret)` does: HMAC over `JSON.stringify` of the
 * long form without `signature` (keys in long-form order, only truthy fields), as a hex digest.
 * Returns a new message with `sig` set; the input is not changed.
 *
 * Sign last: any later change to a field (including a new `mid`) invalidates the signature.
 *
 * @param algorithm - any HMAC digest `node:crypto` knows; hydra-router checks with `sha256`.
 * @throws {@link UmfError} when the secret is empty or the algorithm unknown.
 * @example
 * ```ts
 * const signed = signMessage(createMessage({ to: 'a:/', frm: 'b:/', bdy: {} }), process.env.UMF_SECRET!);
 * verifySignature(signed, process.env.UMF_SECRET!); // true
 * ```
 */
export function signMessage(m: UmfMessage, secret: string, algorithm = 'sha256'): UmfMessage {
  // Normalise first so nothing generated afterwards (a missing mid or ts) escapes the signature.
  const base = toShort(m);
  return toShort({ ...base, sig: computeSignature(base, secret, algorithm) });
}

/**
 * Checks `m.sig` against the signature {@link signMessage} would compute with the same secret and
 * algorithm, in constant time. `false` when `sig` is missing or differs.
 *
 * @throws {@link UmfError} when the secret is empty or the algorithm unknown (a configuration
 *   mistake, not a bad message).
 */
export function verifySignature(m: UmfMessage, secret: string, algorithm = 'sha256'): boolean {
  const expected = computeSignature(m, secret, algorithm);
  if (typeof m.sig !== 'string' || m.sig.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(m.sig, 'utf8'), Buffer.from(expected, 'utf8'));
}

function computeSignature(m: UmfMessage, secret: string, algorithm: string): string {
  if (typeof secret !== 'string' || secret === '') {
    throw new UmfError(
      'cannot sign or verify a UMF message with an empty secret; configure the shared secret',
    );
  }
  let hmac;
  try {
    hmac = createHmac(algorithm, secret);
  } catch (err) {
    throw new UmfError(
      `unknown HMAC algorithm "${algorithm}"; use one crypto.getHashes() lists, e.g. "sha256"`,
      {
        cause: err,
      },
    );
  }
  return hmac.update(JSON.stringify(longForm(m, false))).digest('hex');
}
