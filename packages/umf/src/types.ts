/**
 * The UMF version Hydra 1.9.3 stamps on every message it creates (`ver` / `version`).
 */
export const UMF_VERSION = 'UMF/1.4.6';

/**
 * A UMF message in its short form: what travels on the wire and what every hydra-nest package
 * passes around internally.
 *
 * Build one with `createMessage` rather than by hand: it fills `mid`, `ts` and `ver` and
 * keeps only the fields Hydra would keep. On the wire the keys always appear in this order
 * (each only when truthy): `to, frm, hdr, mid, rmid, sig, tmo, ts, typ, ver, via, fwd, bdy, aut`.
 *
 * @example
 * ```ts
 * const m: UmfMessage = {
 *   to: 'users:[get]/v1/users/42',
 *   frm: 'c86d0098a8fe4e948630fc5726614f32@web:/',
 *   mid: '3938a040-2c9a-4b53-9a0e-6f1f3f6f0b1c',
 *   ts: '2026-11-22T17:17:15.974Z',
 *   ver: 'UMF/1.4.6',
 *   bdy: {},
 * };
 * ```
 */
export interface UmfMessage {
  /** Route of the recipient, e.g. `users:/` or `instance@users:[post]/v1/users` (see `parseRoute`). */
  to: string;
  /** Route of the sender; replies go here unless `via` is set. Use `instanceId@service:/` to get replies. */
  frm: string;
  /** Message id: a UUID v4 with dashes (36 characters). */
  mid: string;
  /** On a reply: the `mid` of the message being answered. */
  rmid?: string;
  /** Creation time, ISO-8601 in UTC with milliseconds, e.g. `2026-11-22T17:17:15.974Z`. */
  ts: string;
  /** UMF version, normally {@link UMF_VERSION}. */
  ver: string;
  /** Free-form message type (hydra-router uses `ping`, `pong`, `connection`, `wsdir.*`...). */
  typ?: string;
  /** Headers; Hydra turns them into HTTP request headers in `makeAPIRequest`. */
  hdr?: Record<string, unknown>;
  /** HMAC hex signature, see `signMessage`. */
  sig?: string;
  /** Timeout in seconds. */
  tmo?: number;
  /** Route of an intermediary (hydra-router); replies are sent there instead of to `frm`. */
  via?: string;
  /** Forwarding target; copied into replies. */
  fwd?: string;
  /** The payload. Hydra peers drop falsy bodies, so send `{}` rather than `0`, `false`, `""` or `null`. */
  bdy: unknown;
  /** Authorization value; Hydra sends it as the HTTP `Authorization` header. */
  aut?: string;
}

/**
 * A UMF message in its long form, as Hydra's `createMessage(...).toJSON()` returns it and as
 * signatures are computed over. Key order: `to, from, headers, mid, rmid, signature, timeout,
 * timestamp, type, version, via, forward, body, authorization`.
 */
export interface UmfLongMessage {
  to: string;
  from: string;
  headers?: Record<string, unknown>;
  mid: string;
  rmid?: string;
  signature?: string;
  timeout?: number;
  timestamp: string;
  type?: string;
  version: string;
  via?: string;
  forward?: string;
  body: unknown;
  authorization?: string;
}

/**
 * What a caller may hand to `createMessage`: any mix of short and long keys. When both
 * spellings of a field are given, the long one wins if it is truthy (as in Hydra). `mid`, `ts`
 * and `ver` are generated when absent. Fields UMF does not know (`priority`, `ttl`...) have no
 * place here and are dropped at run time, as Hydra drops them.
 *
 * @example
 * ```ts
 * const input: UmfInput = { to: 'users:/', from: 'web:/', body: { hello: 'world' } };
 * ```
 */
export interface UmfInput {
  to?: string;
  frm?: string;
  from?: string;
  hdr?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  mid?: string;
  rmid?: string;
  sig?: string;
  signature?: string;
  tmo?: number;
  timeout?: number;
  ts?: string;
  timestamp?: string;
  typ?: string;
  type?: string;
  ver?: string;
  version?: string;
  via?: string;
  fwd?: string;
  forward?: string;
  bdy?: unknown;
  body?: unknown;
  aut?: string;
  authorization?: string;
}

/**
 * One problem found by `validateMessage`.
 */
export interface UmfIssue {
  /** The short-form field at fault (`to`, `bdy`...), or `(message)` when the whole value is wrong. */
  field: string;
  /** What is wrong and what to send instead; starts with the quoted field name. */
  message: string;
}
