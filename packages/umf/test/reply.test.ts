import { describe, expect, it } from 'vitest';
import { createMessage, createReply, replyTarget } from '../src/index.js';

const request = createMessage({
  to: 'alpha-svc:[post]/v1/items',
  frm: 'dea1225b75f6464e962405df1b5b7ffb@beta-svc:/',
  mid: 'req-1',
  ts: '2026-11-22T17:17:15.974Z',
  typ: 'create',
  hdr: { 'x-a': '1' },
  aut: 'Bearer t',
  bdy: { n: 1 },
});

describe('createReply', () => {
  it('answers the sender: to is the original frm, frm the original to, rmid the original mid', () => {
    const reply = createReply(request, { bdy: { ok: true } });
    expect(reply).toMatchObject({
      to: 'dea1225b75f6464e962405df1b5b7ffb@beta-svc:/',
      frm: 'alpha-svc:[post]/v1/items',
      rmid: 'req-1',
      bdy: { ok: true },
    });
  });

  it('brings a new mid, ts and ver', () => {
    const reply = createReply(request, { bdy: { ok: true } });
    expect(reply.mid).not.toBe(request.mid);
    expect(reply.mid).toHaveLength(36);
    expect(reply.ts).not.toBe(request.ts);
    expect(reply.ver).toBe('UMF/1.4.6');
  });

  it('keeps the original body when the response has none or a falsy one', () => {
    expect(createReply(request, {}).bdy).toEqual({ n: 1 });
    expect(createReply(request, { bdy: 0 }).bdy).toEqual({ n: 1 });
  });

  it('inherits typ, hdr and aut from the original unless the response overrides them', () => {
    expect(createReply(request, { bdy: {} })).toMatchObject({
      typ: 'create',
      hdr: { 'x-a': '1' },
      aut: 'Bearer t',
    });
    expect(createReply(request, { type: 'created', bdy: {} }).typ).toBe('created');
  });

  it('lets the response choose its own frm and to, unless the original came through a via', () => {
    const reply = createReply(request, { to: 'elsewhere:/', from: 'c86d@alpha-svc:/', bdy: {} });
    expect(reply).toMatchObject({ to: 'elsewhere:/', frm: 'c86d@alpha-svc:/' });
  });

  it('sends the reply to the original via, which it also keeps', () => {
    const viaRouter = { ...request, via: 'r1-c7@hydra-router:/' };
    const reply = createReply(viaRouter, { to: 'elsewhere:/', bdy: {} });
    expect(reply.to).toBe('r1-c7@hydra-router:/');
    expect(reply.via).toBe('r1-c7@hydra-router:/');
  });

  it('keeps the original fwd even when the response sets another', () => {
    const forwarded = { ...request, fwd: 'k3x9q@client:/' };
    expect(createReply(forwarded, { fwd: 'other@client:/', bdy: {} }).fwd).toBe('k3x9q@client:/');
  });

  it('writes its keys in wire order', () => {
    const reply = createReply(request, { bdy: {} });
    expect(Object.keys(reply)).toEqual(['to', 'frm', 'hdr', 'mid', 'rmid', 'ts', 'typ', 'ver', 'bdy', 'aut']);
  });
});

describe('replyTarget', () => {
  it('is the via when there is one, else the frm', () => {
    expect(replyTarget(request)).toBe(request.frm);
    expect(replyTarget({ ...request, via: 'r1-c7@hydra-router:/' })).toBe('r1-c7@hydra-router:/');
  });
});
