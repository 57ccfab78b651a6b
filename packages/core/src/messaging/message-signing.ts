import { Buffer } from 'node:buffer';
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { messageSignature, signAndSerialize, verifySignature, type UmfMessage } from '@hydra-nest/umf';
import { HydraConfigError } from '../errors.js';

/**
 * Enforced message signing (`messaging.signing`): every message sent is signed, and a message received
 * without a valid signature is refused. Signatures are Hydra 1.x's (`umf.signMessage(algorithm, secret)`),
 * so Hydra services and hydra-router (`forceMessageSignature` with `signatureSharedSecret`) that share
 * the secret read and make the same ones.
 *
 * Neither signs anything on its own, though: a Hydra 1.x service must sign each message it sends,
 * replies included (`sendReplyMessage` copies the request's signature, which then matches nothing), and
 * hydra-router forwards a WebSocket client's message with a new `to`, `via` and `ts` but the client's
 * signature, so such messages fail the check.
 *
 * @example
 * ```ts
 * // Rotating: every instance first accepts both, then signs with the new one, then drops the old one.
 * messaging: { signing: { secrets: [process.env.UMF_SECRET!, process.env.UMF_SECRET_PREVIOUS!] } }
 * ```
 */
export interface SigningOptions {
  /**
   * Shared secrets, non-empty strings: the current one first (messages are signed with it), then older
   * ones still accepted from senders that have not switched yet. Hydra uses the UTF-8 bytes of the
   * string as the HMAC key; so does hydra-nest.
   */
  secrets: readonly string[];
  /**
   * HMAC digest. Default `'sha256'`, the only one hydra-router checks with; any other `crypto.getHashes()`
   * name works between services that agree on it.
   */
  algorithm?: string;
}

/** What {@link MessageSigner.check} found: a matching signature, none at all, or one that matches no secret. */
export type SignatureCheck = 'valid' | 'unsigned' | 'invalid';

/** Default {@link SigningOptions.algorithm}, the digest hydra-router checks with. */
export const DEFAULT_SIGNING_ALGORITHM = 'sha256';

/**
 * Signs outgoing UMF messages with the current secret and checks incoming ones against every secret
 * accepted, current first. Keys are prepared once; each call costs one HMAC over the message's canonical
 * text (more only for a message signed with an older secret, or a bad one).
 *
 * Sign a message after its last change, where it is published: the signature covers every field but
 * `sig` (`to`, `frm`, `hdr`, `mid`, `rmid`, `tmo`, `ts`, `typ`, `ver`, `via`, `fwd`, `bdy`, `aut`, each
 * when truthy). A reply built from a request inherits the request's `sig`, which no longer matches:
 * sign it afresh like any other message.
 *
 * @example
 * ```ts
 * const signer = new MessageSigner({ secrets: ['s3cret-2', 's3cret-1'] });
 * const payload = signer.serialize(message); // sets message.sig, returns the wire text
 * signer.check(parseMessage(payload)); // 'valid'
 * ```
 */
export class MessageSigner {
  /** The HMAC digest used. */
  readonly algorithm: string;
  private readonly keys: readonly KeyObject[];

  /** @throws {@link HydraConfigError} when the secrets are missing or empty, or the algorithm unknown. */
  constructor(options: SigningOptions) {
    this.keys = signingKeys(options.secrets);
    this.algorithm = signingAlgorithm(options.algorithm);
  }

  /** Signs `message` in place with the current secret (sets `sig`, replacing any it had). */
  sign(message: UmfMessage): void {
    message.sig = messageSignature(message, this.keys[0]!, this.algorithm);
  }

  /**
   * Signs `message` in place, as {@link sign}, and returns its wire text (what `serializeMessage` gives);
   * cheaper than the two calls, since the body is turned into JSON once.
   */
  serialize(message: UmfMessage): string {
    return signAndSerialize(message, this.keys[0]!, this.algorithm);
  }

  /**
   * Whether a received `message` carries a signature made with one of the secrets: `'unsigned'` when
   * it has no `sig`, `'invalid'` when its `sig` matches none (wrong secret or algorithm, or a field
   * changed after signing). Constant-time comparison; never throws for a bad message.
   */
  check(message: UmfMessage): SignatureCheck {
    if (!message.sig) return 'unsigned';
    return verifySignature(message, this.keys, this.algorithm) ? 'valid' : 'invalid';
  }
}

function signingKeys(secrets: unknown): KeyObject[] {
  if (!Array.isArray(secrets) || secrets.length === 0) {
    const given = Array.isArray(secrets)
      ? 'an empty array'
      : secrets === undefined
        ? 'missing'
        : `a ${typeof secrets}`;
    throw new HydraConfigError(
      `messaging.signing.secrets is ${given}; give an array of shared secrets, the current one first, ` +
        'e.g. { secrets: [process.env.UMF_SECRET] }',
    );
  }
  return secrets.map((secret: unknown, index) => {
    if (typeof secret !== 'string' || secret === '') {
      // The value is not shown: it may be a secret in the wrong shape.
      const given =
        secret === '' ? 'an empty string' : secret === undefined ? 'undefined' : `a ${typeof secret}`;
      throw new HydraConfigError(
        `messaging.signing.secrets[${index}] is ${given}; every secret must be a non-empty string ` +
          '(is an environment variable unset?)',
      );
    }
    return createSecretKey(Buffer.from(secret, 'utf8'));
  });
}

function signingAlgorithm(algorithm: string | undefined): string {
  if (algorithm === undefined) return DEFAULT_SIGNING_ALGORITHM;
  try {
    createHmac(algorithm, 'probe');
  } catch {
    throw new HydraConfigError(
      `messaging.signing.algorithm is "${String(algorithm)}", which node:crypto does not know; use ` +
        `"${DEFAULT_SIGNING_ALGORITHM}" (hydra-router's) or another name crypto.getHashes() lists`,
    );
  }
  return algorithm;
}
