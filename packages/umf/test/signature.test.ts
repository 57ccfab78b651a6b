import { createHmac, createSecretKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createMessage,
  messageSignature,
  serializeMessage,
  signAndSerialize,
  signMessage,
  toLong,
  UmfError,
  verifySignature,
  type UmfMessage,
} from '../src/index.js';

const SECRET = 'shared-secret';
const PREVIOUS = 'previous-secret';
const message = createMessage({
  to: 'alpha-svc:[post]/v1/items',
  frm: 'beta-svc:/',
  mid: 'm-1',
  ts: '2026-11-22T17:17:15.974Z',
  bdy: { n: 1 },
});

/** The reference: HMAC over JSON.stringify of the long form without its signature. */
function reference(m: UmfMessage, secret = SECRET): string {
  const long: Record<string, unknown> = { ...toLong(m) };
  delete long.signature;
  return createHmac('sha256', secret).update(JSON.stringify(long)).digest('hex');
}

describe('signMessage', () => {
  it('adds a hex HMAC-SHA256 over the long form without signature', () => {
    const signed = signMessage(message, SECRET);
    expect(signed.sig).toBe(reference(message));
    expect(signed.sig).toMatch(/^[0-9a-f]{64}$/);
  });

  it('returns a new message, keys in wire order, and leaves the input alone', () => {
    const signed = signMessage(message, SECRET);
    expect(signed).not.toBe(message);
    expect(message.sig).toBeUndefined();
    expect({ ...signed, sig: undefined }).toEqual(message);
    expect(Object.keys(signed)).toEqual(['to', 'frm', 'mid', 'sig', 'ts', 'ver', 'bdy']);
  });

  it('ignores an existing signature when signing again', () => {
    expect(signMessage(signMessage(message, SECRET), SECRET).sig).toBe(signMessage(message, SECRET).sig);
  });

  it('uses the algorithm asked for', () => {
    expect(signMessage(message, SECRET, 'sha512').sig).toMatch(/^[0-9a-f]{128}$/);
  });

  it('refuses an empty secret and an unknown algorithm', () => {
    expect(() => signMessage(message, '')).toThrow(UmfError);
    expect(() => signMessage(message, createSecretKey(Buffer.alloc(0)))).toThrow(UmfError);
    expect(() => signMessage(message, SECRET, 'nope-256')).toThrow(/unknown HMAC algorithm "nope-256"/);
  });
});

describe('messageSignature', () => {
  const odd: Array<[string, UmfMessage]> = [
    [
      'every field',
      { ...message, hdr: { a: 1 }, rmid: 'r', tmo: 2.5, typ: 't', via: 'v:/', fwd: 'f:/', aut: 'x' },
    ],
    [
      'strings JSON must escape',
      { ...message, to: 'a:/"q"\\', frm: 'b:/\n', typ: '\u0007', bdy: 'é ✓ 😀 \ud800' },
    ],
    ['members left undefined, as a reply is built', { ...message, hdr: undefined, rmid: undefined, via: '' }],
    ['falsy members', { ...message, tmo: 0, typ: '', bdy: 0 }],
    [
      'values with toJSON and without JSON form',
      { ...message, bdy: { at: new Date(0), f: () => 1, u: undefined } },
    ],
    ['integer-like keys in the body', { ...message, bdy: { b: 1, 2: 'two', 1: 'one' } }],
    ['no to (the reference path)', { ...message, to: '' }],
  ];

  it.each(odd)('hashes the reference text for %s', (_what, m) => {
    expect(messageSignature(m, SECRET)).toBe(reference(m));
  });

  it('reads the message as it is and ignores its sig', () => {
    expect(messageSignature({ ...message, sig: 'anything' }, SECRET)).toBe(reference(message));
  });

  it('gives the same signature for a KeyObject made from the secret', () => {
    const key = createSecretKey(Buffer.from('sécret ✓', 'utf8'));
    expect(messageSignature(message, key)).toBe(messageSignature(message, 'sécret ✓'));
  });
});

describe('signAndSerialize', () => {
  it.each([
    ['a small body', { n: 1 }],
    ['a 4 KiB body', { pad: 'x'.repeat(4096) }],
    ['a falsy body', 0],
  ])('sets sig in place and returns what serializeMessage gives, for %s', (_what, bdy) => {
    const m: UmfMessage = { ...message, sig: 'stale', bdy };
    const text = signAndSerialize(m, SECRET);
    expect(m.sig).toBe(reference({ ...message, bdy }));
    expect(text).toBe(serializeMessage(m));
  });
});

describe('verifySignature', () => {
  const signed = signMessage(message, SECRET);

  it('accepts a message signed with the same secret', () => {
    expect(verifySignature(signed, SECRET)).toBe(true);
    expect(verifySignature(signed, [SECRET])).toBe(true);
    expect(verifySignature(signed, [createSecretKey(Buffer.from(SECRET))])).toBe(true);
  });

  it('accepts a message signed with any of the secrets, current or previous', () => {
    expect(verifySignature(signed, [PREVIOUS, SECRET])).toBe(true);
    expect(verifySignature(signMessage(message, PREVIOUS), [SECRET, PREVIOUS])).toBe(true);
    expect(verifySignature(signMessage(message, PREVIOUS), [SECRET])).toBe(false);
  });

  it('detects a change to any signed field', () => {
    const changes: Array<Partial<UmfMessage>> = [
      { to: 'alpha-svc:[delete]/v1/items' },
      { frm: 'mallory-svc:/' },
      { hdr: { x: 1 } },
      { mid: 'm-2' },
      { rmid: 'r-1' },
      { tmo: 5 },
      { ts: '2026-11-22T17:17:15.975Z' },
      { typ: 'admin' },
      { ver: 'UMF/1.4.7' },
      { via: 'r@hydra-router:/' },
      { fwd: 'x:/' },
      { bdy: { n: 2 } },
      { bdy: { n: 1, extra: true } },
      { aut: 'Bearer t' },
    ];
    for (const change of changes) expect(verifySignature({ ...signed, ...change }, SECRET)).toBe(false);
  });

  it('detects a different secret or algorithm', () => {
    expect(verifySignature(signed, 'other-secret')).toBe(false);
    expect(verifySignature(signed, SECRET, 'sha512')).toBe(false);
  });

  it('rejects a missing or malformed signature without throwing', () => {
    expect(verifySignature(message, SECRET)).toBe(false);
    expect(verifySignature({ ...signed, sig: signed.sig?.toUpperCase() }, SECRET)).toBe(false);
    expect(verifySignature({ ...signed, sig: 'abc' }, SECRET)).toBe(false);
    // As long as the real one in characters, longer in bytes.
    expect(verifySignature({ ...signed, sig: 'é'.repeat(64) }, SECRET)).toBe(false);
    expect(verifySignature({ ...signed, sig: 42 as unknown as string }, SECRET)).toBe(false);
  });

  it('refuses to run without a usable secret', () => {
    expect(() => verifySignature(signed, [])).toThrow(/without a secret/);
    expect(() => verifySignature(signed, [SECRET, ''])).toThrow(UmfError);
    expect(() => verifySignature(message, '')).toThrow(UmfError);
  });
});
