// Cross-checks against the real hydra@1.9.3 package: what we put on the wire must be byte-identical to
// what Hydra emits, because Hydra removes queued messages by exact string and hydra-router re-signs
// received messages to check them.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import {
  createMessage,
  createReply,
  parseMessage,
  parseRoute,
  serializeMessage,
  signMessage,
  type UmfInput,
} from '../src/index.js';

interface HydraUmf {
  toShort(): object;
  toJSON(): object;
  signMessage(algo: string, secret: string): void;
  signature?: string;
}
interface HydraUmfModule {
  createMessage(input: object): HydraUmf;
  parseRoute(route: string): {
    instance: string;
    subID: string;
    serviceName: string;
    httpMethod?: string;
    apiRoute: string;
    error: string;
  };
}

const require = createRequire(import.meta.url);
const hydraUmf = require('hydra/lib/umfmessage.js') as HydraUmfModule;

const TS = '2026-11-22T17:17:15.974Z';
const fixed = { mid: 'f02b4530-0e2e-48f5-8bd9-e68c0cede06e', ts: TS };

const inputs: Array<[string, UmfInput]> = [
  [
    'a minimal short message',
    { to: 'alpha-svc:/', frm: 'beta-svc:/', ...fixed, bdy: { n: 1, text: 'hi alpha' } },
  ],
  [
    'a long-form message',
    { to: 'a:[get]/v1/x', from: 'i@b:/', mid: 'm', timestamp: TS, version: 'UMF/1.4.6', body: [1, 'two'] },
  ],
  [
    'every field, long and short mixed, long winning',
    {
      to: 'svc:[post]/v1/x:y',
      from: 'c86d@web:/',
      frm: 'loser:/',
      headers: { 'content-type': 'application/json' },
      hdr: { lost: true },
      ...fixed,
      rmid: 'r-1',
      signature: 'old',
      timeout: 2.5,
      type: 'job',
      version: 'UMF/1.4.6',
      via: 'r1-c7@hydra-router:/',
      forward: 'k3x9q@client:/',
      body: { deep: { list: [1, 2.5, -0, 1e21, null, 'é ✓ \u2028'] } },
      authorization: 'Bearer t',
    },
  ],
  ['falsy optional fields', { to: 'a:/', frm: 'b:/', ...fixed, typ: '', tmo: 0, rmid: '', bdy: 'text body' }],
  ['a falsy body, which Hydra drops', { to: 'a:/', frm: 'b:/', ...fixed, bdy: 0 }],
  ['unknown fields', { to: 'a:/', frm: 'b:/', ...fixed, bdy: {}, priority: 1, ttl: 3 } as UmfInput],
];

describe('byte compatibility with hydra@1.9.3', () => {
  it.each(inputs)('serialises %s exactly as Hydra does', (_what, input) => {
    expect(serializeMessage(createMessage(input))).toBe(
      JSON.stringify(hydraUmf.createMessage(input).toShort()),
    );
  });

  it.each(inputs)('signs %s exactly as Hydra does', (_what, input) => {
    const theirs = hydraUmf.createMessage(input);
    theirs.signMessage('sha256', 'shared-secret');
    const ours = signMessage(createMessage(input), 'shared-secret');
    expect(ours.sig).toBe(theirs.signature);
    expect(serializeMessage(ours)).toBe(JSON.stringify(theirs.toShort()));
  });

  it('reads back what Hydra writes, unchanged', () => {
    const raw = JSON.stringify(hydraUmf.createMessage(inputs[2]![1]).toShort());
    expect(serializeMessage(parseMessage(raw))).toBe(raw);
  });

  it("builds the same reply as Hydra's sendReplyMessage", () => {
    const original = createMessage({ ...inputs[2]![1], signature: undefined, sig: undefined });
    const response = { mid: 'reply-1', ts: '2026-11-22T17:17:16.001Z', bdy: { ok: true }, typ: 'done' };
    // Hydra's _sendReplyMessage, step by step, on its own objects.
    const longOriginal = hydraUmf.createMessage(original).toJSON() as Record<string, unknown>;
    const longResponse = hydraUmf.createMessage(response).toJSON();
    const reply = Object.assign(
      longOriginal,
      { rmid: longOriginal.mid, to: longOriginal.from, from: longOriginal.to },
      longResponse,
    );
    if (longOriginal.via) reply.to = longOriginal.via;
    if (longOriginal.forward) reply.forward = longOriginal.forward;
    const theirs = JSON.stringify(hydraUmf.createMessage(reply).toShort());
    expect(serializeMessage(createReply(original, response))).toBe(theirs);
  });

  it.each([
    'svc:/',
    'svc:[get]/v1/a/b',
    'abc@svc:[post]/v1/x:y',
    'c86d0098a8fe4e948630fc5726614f32-k3x9q@hydra-router:/',
    'a-b-c@svc:/x',
    'svc:[GET]/v1/users/:id',
  ])('parses the route %s as Hydra does', (route) => {
    const theirs = hydraUmf.parseRoute(route);
    const ours = parseRoute(route);
    expect(theirs.error).toBe('');
    expect(ours).toEqual({
      instance: theirs.instance || undefined,
      subId: theirs.subID || undefined,
      service: theirs.serviceName,
      method: theirs.httpMethod,
      path: theirs.apiRoute,
    });
  });
});
