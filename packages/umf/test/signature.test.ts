import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMessage, signMessage, toLong, UmfError, verifySignature } from '../src/index.js';

const SECRET = 'shared-secret';
const message = createMessage({
  to: 'alpha-svc:[post]/v1/items',
  frm: 'beta-svc:/',
  mid: 'm-1',
  ts: '2026-11-22T17:17:15.974Z',
  bdy: { n: 1 },
});

describe('signMessage', () => {
  it('adds a hex HMAC-SHA256 over the long form without signature', () => {
    const signed = signMessage(message, SECRET);
    const expected = createHmac('sha256', SECRET)
      .update(JSON.stringify(toLong(message)))
      .digest('hex');
    expect(signed.sig).toBe(expected);
    expect(signed.sig).toMatch(/^[0-9a-f]{64}$/);
  });

  it('returns a new message and leaves the input alone', () => {
    const signed = signMessage(message, SECRET);
    expect(signed).not.toBe(message);
    expect(message.sig).toBeUndefined();
    expect({ ...signed, sig: undefined }).toEqual(message);
  });

  it('ignores an existing signature when signing again', () => {
    expect(signMessage(signMessage(message, SECRET), SECRET).sig).toBe(signMessage(message, SECRET).sig);
  });

  it('uses the algorithm asked for', () => {
    expect(signMessage(message, SECRET, 'sha512').sig).toMatch(/^[0-9a-f]{128}$/);
  });

  it('refuses an empty secret and an unknown algorithm', () => {
    expect(() => signMessage(message, '')).toThrow(UmfError);
    expect(() => signMessage(message, SECRET, 'nope-256')).toThrow(/unknown HMAC algorithm "nope-256"/);
  });
});

describe('verifySignature', () => {
  const signed = signMessage(message, SECRET);

  it('accepts a message signed with the same secret', () => {
    expect(verifySignature(signed, SECRET)).toBe(true);
  });

  it('detects a changed body, route or id', () => {
    expect(verifySignature({ ...signed, bdy: { n: 2 } }, SECRET)).toBe(false);
    expect(verifySignature({ ...signed, to: 'alpha-svc:[delete]/v1/items' }, SECRET)).toBe(false);
    expect(verifySignature({ ...signed, mid: 'm-2' }, SECRET)).toBe(false);
  });

  it('detects a different secret or algorithm', () => {
    expect(verifySignature(signed, 'other-secret')).toBe(false);
    expect(verifySignature(signed, SECRET, 'sha512')).toBe(false);
  });

  it('rejects a missing or malformed signature', () => {
    expect(verifySignature(message, SECRET)).toBe(false);
    expect(verifySignature({ ...signed, sig: signed.sig?.toUpperCase() }, SECRET)).toBe(false);
    expect(verifySignature({ ...signed, sig: 'abc' }, SECRET)).toBe(false);
  });
});
