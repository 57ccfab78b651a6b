// Signatures against the real hydra@1.9.3 package: a hydra-nest signature must equal the one Hydra's
// signMessage makes, a Hydra-signed message must verify here, and hydra-router's check
// (forceMessageSignature) must accept what hydra-nest signs and refuse it once changed.
import { describe, expect, it } from 'vitest';
import { hydraRouterCheck, hydraSign } from '../../../test/interop/hydra-signing.js';
import {
  createMessage,
  messageSignature,
  parseMessage,
  serializeMessage,
  signAndSerialize,
  toLong,
  verifySignature,
  type UmfInput,
  type UmfMessage,
} from '../src/index.js';

const SECRET = 'd632dd6d-fb75-44cc-bdbf-ee1364f3716c';
const OTHER = 'not-the-router-secret';
const fixed = { mid: 'f02b4530-0e2e-48f5-8bd9-e68c0cede06e', ts: '2026-11-22T17:17:15.974Z' };
const base = { to: 'alpha-svc:[post]/v1/items', frm: 'c86d@beta-svc:/', ...fixed };

const messages: Array<[string, UmfInput]> = [
  ['a minimal message', { ...base, bdy: { n: 1 } }],
  [
    'every field, long and short mixed',
    {
      to: 'svc:[post]/v1/x:y',
      from: 'c86d@web:/',
      frm: 'loser:/',
      headers: { 'content-type': 'application/json' },
      ...fixed,
      rmid: 'r-1',
      timeout: 2.5,
      type: 'job',
      version: 'UMF/1.4.6',
      via: 'r1-c7@hydra-router:/',
      forward: 'k3x9q@client:/',
      body: { ok: true },
      authorization: 'Bearer t',
    },
  ],
  [
    'a reply as hydra-nest sends it',
    {
      to: 'r1-c7@hydra-router:/',
      frm: 'alpha-svc:[post]/v1/items',
      hdr: { 'x-trace': 'abc' },
      ...fixed,
      rmid: '3938a040-2c9a-4b53-9a0e-6f1f3f6f0b1c',
      tmo: 4.987,
      typ: 'error',
      via: 'r1-c7@hydra-router:/',
      fwd: 'k3x9q@client:/',
      bdy: { statusCode: 401, result: { reason: 'no' } },
      aut: 'Basic dXNlcjpwYXNz',
    },
  ],
  [
    'unicode and characters JSON escapes',
    {
      ...base,
      to: 'svc:[get]/v1/ünïcode/✓',
      typ: 'tab\there',
      bdy: { s: 'é ✓ 漢字 😀 \u2028\u2029 \u0000\u001f "q" \\ /', lone: '\ud800', rtl: 'שלום' },
    },
  ],
  [
    'nested bodies, numbers and odd keys',
    {
      ...base,
      bdy: {
        deep: JSON.parse('['.repeat(40) + '{"k":1}' + ']'.repeat(40)),
        numbers: [1e21, -0, 0.1 + 0.2, Number.MAX_SAFE_INTEGER, -1.5e-7, null, true],
        keys: { b: 1, 2: 'two', 1: 'one', '': 'empty' },
        proto: JSON.parse('{"__proto__":{"polluted":true},"constructor":1}'),
      },
    },
  ],
  ['a string body', { ...base, bdy: 'just text' }],
  ['an array body', { ...base, bdy: [1, 'two', { three: 3 }] }],
  ['a 4 KiB body', { ...base, bdy: { pad: 'x'.repeat(4096) } }],
  ['falsy optional fields', { ...base, typ: '', tmo: 0, rmid: '', hdr: undefined, bdy: {} }],
  ['a stale signature', { ...base, sig: 'c0ffee', bdy: { n: 1 } }],
];

const falsyBodies: Array<[string, UmfInput]> = [0, false, '', null].map((bdy) => [
  `a body of ${JSON.stringify(bdy)}, which Hydra drops`,
  { ...base, bdy },
]);

describe('signatures made by hydra-nest and by hydra@1.9.3', () => {
  it.each([...messages, ...falsyBodies])('are the same for %s', (_what, input) => {
    const hydra = hydraSign(input, SECRET);
    const ours = createMessage(input);
    expect(messageSignature(ours, SECRET)).toBe(hydra.signature);
    expect(signAndSerialize(ours, SECRET)).toBe(hydra.short);
    expect(ours.sig).toBe(hydra.signature);
  });

  it.each(['sha1', 'sha512'])('are the same with %s', (algorithm) => {
    const input = messages[1]![1];
    expect(messageSignature(createMessage(input), SECRET, algorithm)).toBe(
      hydraSign(input, SECRET, algorithm).signature,
    );
  });

  it.each(messages)('verify here when Hydra signed %s, in short or long form', (_what, input) => {
    const hydra = hydraSign(input, SECRET);
    expect(verifySignature(parseMessage(hydra.short), [SECRET])).toBe(true);
    expect(verifySignature(parseMessage(hydra.long), [SECRET])).toBe(true);
    expect(verifySignature(parseMessage(hydra.short), [OTHER])).toBe(false);
  });
});

describe("hydra-router's forceMessageSignature check", () => {
  const signedText = (input: UmfInput, secret = SECRET) => signAndSerialize(createMessage(input), secret);

  it.each(messages)('accepts %s signed by hydra-nest, in short or long form', (_what, input) => {
    const text = signedText(input);
    expect(hydraRouterCheck(text, SECRET)).toBe('accepted');
    expect(hydraRouterCheck(JSON.stringify(toLong(parseMessage(text))), SECRET)).toBe('accepted');
  });

  it('accepts a reply signed afresh, and refuses one that kept the request signature', () => {
    const request = parseMessage(signedText(messages[1]![1]));
    // The fields Messenger.reply copies, absent ones left undefined.
    const reply: UmfMessage = {
      ...request,
      to: request.via || request.frm,
      frm: request.to,
      mid: 'reply-1',
      rmid: request.mid,
      bdy: { ok: true },
      aut: undefined,
    };
    expect(hydraRouterCheck(serializeMessage(reply), SECRET)).toBe('invalid signature');
    expect(hydraRouterCheck(signAndSerialize(reply, SECRET), SECRET)).toBe('accepted');
  });

  it('refuses a message signed with another secret, or not signed', () => {
    expect(hydraRouterCheck(signedText(messages[0]![1], OTHER), SECRET)).toBe('invalid signature');
    expect(hydraRouterCheck(serializeMessage(createMessage(messages[0]![1])), SECRET)).toBe('not signed');
  });

  it.each<[string, (m: Record<string, unknown>) => void]>([
    ['the body', (m) => ((m.bdy as Record<string, unknown>).n = 2)],
    ['a field added to the body', (m) => ((m.bdy as Record<string, unknown>).admin = true)],
    ['the route', (m) => (m.to = 'alpha-svc:[delete]/v1/items')],
    ['the sender', (m) => (m.frm = 'mallory@beta-svc:/')],
    ['the id', (m) => (m.mid = 'another')],
    ['the timeout', (m) => (m.tmo = 60)],
    ['the type', (m) => (m.typ = 'admin')],
    ['the authorization', (m) => (m.aut = 'Bearer stolen')],
  ])('refuses a signed message whose %s was changed, and so does verifySignature', (_what, change) => {
    const tampered = JSON.parse(signedText(messages[0]![1])) as Record<string, unknown>;
    change(tampered);
    const text = JSON.stringify(tampered);
    expect(hydraRouterCheck(text, SECRET)).toBe('invalid signature');
    expect(verifySignature(parseMessage(text), [SECRET])).toBe(false);
  });

  it('accepts, as verifySignature does, the same message with its keys reordered or spaced', () => {
    const m = JSON.parse(signedText(messages[2]![1])) as Record<string, unknown>;
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(m).reverse()), null, 2);
    expect(hydraRouterCheck(reordered, SECRET)).toBe('accepted');
    expect(verifySignature(parseMessage(reordered), [SECRET])).toBe(true);
  });
});
