import { createMessage, parseMessage, serializeMessage, type UmfMessage } from '@hydra-nest/umf';
import { describe, expect, it } from 'vitest';
import {
  hydraReply,
  hydraRouterCheck,
  hydraRouterForward,
  hydraSign,
} from '../../../test/interop/hydra-signing.js';
import { HydraConfigError } from '../src/errors.js';
import {
  errorBody,
  MessageSignatureError,
  MessageSigner,
  type SigningOptions,
} from '../src/messaging/index.js';

const A = 'secret-a-2026-11';
const B = 'secret-b-2026-12';

const request = (): UmfMessage =>
  createMessage({
    to: 'users-svc:[get]/v1/users/7',
    frm: 'c86d0098a8fe4e948630fc5726614f32@web-svc:/',
    mid: '3938a040-2c9a-4b53-9a0e-6f1f3f6f0b1c',
    ts: '2026-12-01T08:00:00.000Z',
    tmo: 4.5,
    hdr: { 'x-trace': 't-1' },
    bdy: { id: 7, name: 'Zoë ✓' },
  });

/** A reply built as Messenger.reply builds it: the request's fields copied, its `sig` included. */
const replyTo = (original: UmfMessage): UmfMessage => ({
  to: original.via || original.frm,
  frm: original.to,
  hdr: original.hdr || undefined,
  mid: 'f02b4530-0e2e-48f5-8bd9-e68c0cede06e',
  rmid: original.mid,
  sig: original.sig || undefined,
  tmo: original.tmo || undefined,
  ts: '2026-12-01T08:00:00.012Z',
  typ: original.typ || undefined,
  ver: original.ver,
  via: original.via || undefined,
  fwd: original.fwd || undefined,
  bdy: { id: 7 },
  aut: original.aut || undefined,
});

describe('MessageSigner options', () => {
  it.each<[string, unknown, RegExp]>([
    ['no secrets', undefined, /messaging\.signing\.secrets is missing; give an array/],
    ['an empty list', [], /messaging\.signing\.secrets is an empty array/],
    ['a single string', A, /secrets is a string; give an array of shared secrets/],
    ['an empty secret', [A, ''], /secrets\[1\] is an empty string/],
    ['an unset one', [undefined], /secrets\[0\] is undefined; every secret must be a non-empty string/],
    ['a secret that is not a string', [42], /secrets\[0\] is a number/],
  ])('refuses %s with a HydraConfigError naming the option', (_what, secrets, message) => {
    const create = () => new MessageSigner({ secrets } as SigningOptions);
    expect(create).toThrow(HydraConfigError);
    expect(create).toThrow(message);
  });

  it('refuses an unknown algorithm, and defaults to sha256', () => {
    expect(() => new MessageSigner({ secrets: [A], algorithm: 'sha-nope' })).toThrow(
      /messaging\.signing\.algorithm is "sha-nope"/,
    );
    expect(new MessageSigner({ secrets: [A] }).algorithm).toBe('sha256');
  });
});

describe('MessageSigner', () => {
  it('signs in place with the current secret, as Hydra signs', () => {
    const message = request();
    new MessageSigner({ secrets: [A, B] }).sign(message);
    expect(message.sig).toBe(hydraSign(request(), A).signature);
  });

  it('serializes a message signed in place, as serializeMessage would', () => {
    const message = request();
    const text = new MessageSigner({ secrets: [A] }).serialize(message);
    expect(message.sig).toMatch(/^[0-9a-f]{64}$/);
    expect(text).toBe(serializeMessage(message));
    expect(text).toBe(hydraSign(request(), A).short);
  });

  it('finds a message it signed valid, after its trip over the wire', () => {
    const signer = new MessageSigner({ secrets: [A] });
    expect(signer.check(parseMessage(signer.serialize(request())))).toBe('valid');
  });

  it('finds a message without sig unsigned, and a non-string sig invalid', () => {
    const signer = new MessageSigner({ secrets: [A] });
    expect(signer.check(request())).toBe('unsigned');
    expect(signer.check({ ...request(), sig: '' })).toBe('unsigned');
    expect(signer.check({ ...request(), sig: { forged: true } as unknown as string })).toBe('invalid');
  });

  it.each<[string, Partial<UmfMessage>]>([
    ['to', { to: 'users-svc:[delete]/v1/users/7' }],
    ['frm', { frm: 'mallory@web-svc:/' }],
    ['hdr', { hdr: { 'x-trace': 't-2' } }],
    ['mid', { mid: 'another' }],
    ['rmid', { rmid: 'forged' }],
    ['tmo', { tmo: 60 }],
    ['ts', { ts: '2026-12-01T08:00:00.001Z' }],
    ['typ', { typ: 'admin' }],
    ['ver', { ver: 'UMF/1.4.7' }],
    ['via', { via: 'x@hydra-router:/' }],
    ['fwd', { fwd: 'x@client:/' }],
    ['bdy', { bdy: { id: 8, name: 'Zoë ✓' } }],
    ['aut', { aut: 'Bearer t' }],
  ])('finds a signed message whose %s was changed invalid', (_field, change) => {
    const signer = new MessageSigner({ secrets: [A] });
    const message = request();
    signer.sign(message);
    expect(signer.check({ ...message, ...change })).toBe('invalid');
  });

  it('signs a reply afresh: the signature it inherited from the request no longer matches', () => {
    const signer = new MessageSigner({ secrets: [A] });
    const original = request();
    signer.sign(original);
    const reply = replyTo(original);
    expect(reply.sig).toBe(original.sig);
    expect(signer.check(reply)).toBe('invalid');
    const text = signer.serialize(reply);
    expect(signer.check(parseMessage(text))).toBe('valid');
    expect(hydraRouterCheck(text, A)).toBe('accepted');
  });
});

describe('rotation with two secrets', () => {
  const signedWith = (secrets: string[]) => {
    const message = request();
    new MessageSigner({ secrets }).sign(message);
    return message;
  };

  it('accepts the new secret and the previous one while both are listed', () => {
    const verifier = new MessageSigner({ secrets: [A, B] });
    expect(verifier.check(signedWith([B]))).toBe('valid');
    expect(verifier.check(signedWith([A]))).toBe('valid');
    expect(new MessageSigner({ secrets: [B, A] }).check(signedWith([A]))).toBe('valid');
  });

  it('refuses a secret no longer listed', () => {
    expect(new MessageSigner({ secrets: [A] }).check(signedWith([B]))).toBe('invalid');
    expect(new MessageSigner({ secrets: [B] }).check(signedWith([A, B]))).toBe('invalid');
  });

  it('goes through a whole rotation without refusing a message', () => {
    // Each phase is a fleet of instances on different configurations; all must accept each other.
    const phases = [
      [[A], [A, B]], // 1. some instances learn B, still sign with A
      [
        [A, B],
        [B, A],
      ], // 2. all accept both; some start signing with B
      [[B, A], [B]], // 3. all sign with B; some drop A
    ];
    for (const fleet of phases) {
      for (const sender of fleet) {
        for (const receiver of fleet) {
          expect(new MessageSigner({ secrets: receiver }).check(signedWith(sender))).toBe('valid');
        }
      }
    }
  });

  it('accepts Hydra 1.x senders on either secret', () => {
    const verifier = new MessageSigner({ secrets: [B, A] });
    expect(verifier.check(parseMessage(hydraSign(request(), A).short))).toBe('valid');
    expect(verifier.check(parseMessage(hydraSign(request(), B).long))).toBe('valid');
    expect(verifier.check(parseMessage(hydraSign(request(), 'other').short))).toBe('invalid');
  });

  it('signs with the current secret only, the one hydra-router must hold', () => {
    const text = new MessageSigner({ secrets: [B, A] }).serialize(request());
    expect(hydraRouterCheck(text, B)).toBe('accepted');
    expect(hydraRouterCheck(text, A)).toBe('invalid signature');
  });
});

// What enforcement means for Hydra 1.x peers and hydra-router, which sign nothing on their own.
describe('with Hydra 1.x peers and hydra-router', () => {
  const signer = new MessageSigner({ secrets: [A] });

  it("refuses a Hydra sendReplyMessage reply: it carries the request's signature, now stale", () => {
    const signedRequest = parseMessage(signer.serialize(request()));
    const reply = parseMessage(hydraReply(signedRequest, { bdy: { id: 7 } }));
    expect(reply.sig).toBe(signedRequest.sig);
    expect(signer.check(reply)).toBe('invalid');
  });

  it('accepts a reply a Hydra service builds and signs itself before sendMessage', () => {
    const signedRequest = parseMessage(signer.serialize(request()));
    const reply = { to: signedRequest.frm, from: signedRequest.to, rmid: signedRequest.mid, body: { id: 7 } };
    expect(signer.check(parseMessage(hydraSign(reply, A).short))).toBe('valid');
  });

  it('refuses a WebSocket message hydra-router forwards: it changes to, via and ts after its check', () => {
    const fromClient = hydraSign({ to: 'users-svc:/v1/users', from: 'client:/', body: { id: 7 } }, A).long;
    expect(hydraRouterCheck(fromClient, A)).toBe('accepted');
    const forwarded = parseMessage(hydraRouterForward(fromClient, 'c86d', 'r1-k3x9@hydra-router:/'));
    expect(forwarded.via).toBe('r1-k3x9@hydra-router:/');
    expect(signer.check(forwarded)).toBe('invalid');
  });
});

describe('MessageSignatureError', () => {
  it('is a 401 naming the message, and says what to do', () => {
    const unsigned = new MessageSignatureError('web-svc:/', 'users-svc:/', 'unsigned');
    expect(unsigned.statusCode).toBe(401);
    expect(unsigned.name).toBe('MessageSignatureError');
    expect(unsigned.message).toMatch(/from "web-svc:\/" to "users-svc:\/" is not signed/);
    const invalid = new MessageSignatureError('web-svc:/', 'users-svc:/', 'invalid');
    expect(invalid.message).toMatch(/matches none of this service's secrets/);
    expect(errorBody(invalid.statusCode, invalid.name, invalid.message).statusMessage).toBe('Unauthorized');
  });
});
