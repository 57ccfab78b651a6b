import { describe, expect, it } from 'vitest';
import { createMessage, toLong, toShort, UMF_VERSION, UmfValidationError } from '../src/index.js';
import { SHORT_KEYS_IN_WIRE_ORDER } from './wire-order.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('createMessage', () => {
  it('fills mid with a dashed UUID v4, ts with an ISO timestamp and ver with UMF/1.4.6', () => {
    const m = createMessage({ to: 'a:/', frm: 'b:/', bdy: {} });
    expect(m.mid).toMatch(UUID_V4);
    expect(m.mid).toHaveLength(36);
    expect(m.ts).toMatch(ISO_UTC_MS);
    expect(Math.abs(Date.parse(m.ts) - Date.now())).toBeLessThan(5_000);
    expect(m.ver).toBe(UMF_VERSION);
    expect(UMF_VERSION).toBe('UMF/1.4.6');
  });

  it('gives every message a new mid', () => {
    expect(createMessage({ bdy: {} }).mid).not.toBe(createMessage({ bdy: {} }).mid);
  });

  it('keeps a given mid, ts and ver', () => {
    const m = createMessage({ to: 'a:/', mid: 'm-1', ts: '2026-11-22T17:17:15.974Z', ver: 'UMF/1.0' });
    expect(m).toMatchObject({ mid: 'm-1', ts: '2026-11-22T17:17:15.974Z', ver: 'UMF/1.0' });
  });

  it('converts long keys to short ones', () => {
    const m = createMessage({
      to: 'a:/',
      from: 'b:/',
      headers: { h: '1' },
      signature: 's',
      timeout: 5,
      timestamp: '2026-11-22T17:17:15.974Z',
      type: 't',
      version: 'UMF/1.4.6',
      forward: 'f:/',
      body: { x: 1 },
      authorization: 'Bearer t',
    });
    expect(m).toEqual({
      to: 'a:/',
      frm: 'b:/',
      hdr: { h: '1' },
      mid: m.mid,
      sig: 's',
      tmo: 5,
      ts: '2026-11-22T17:17:15.974Z',
      typ: 't',
      ver: 'UMF/1.4.6',
      fwd: 'f:/',
      bdy: { x: 1 },
      aut: 'Bearer t',
    });
  });

  it('lets the long key win when both spellings are given', () => {
    const m = createMessage({
      to: 'a:/',
      from: 'long:/',
      frm: 'short:/',
      body: 'long',
      bdy: 'short',
      type: 'L',
      typ: 'S',
    });
    expect(m).toMatchObject({ frm: 'long:/', bdy: 'long', typ: 'L' });
  });

  it('falls back to the short key when the long one is falsy', () => {
    expect(createMessage({ from: '', frm: 'short:/', bdy: {} }).frm).toBe('short:/');
  });

  it('drops falsy optional fields and fields UMF does not know', () => {
    const input = { to: 'a:/', frm: 'b:/', typ: '', tmo: 0, rmid: '', bdy: {}, priority: 9, ttl: 3 };
    const m = createMessage(input as Parameters<typeof createMessage>[0]);
    expect(Object.keys(m)).toEqual(['to', 'frm', 'mid', 'ts', 'ver', 'bdy']);
  });

  it('keeps a falsy body so that validation can explain the problem', () => {
    expect(createMessage({ bdy: 0 }).bdy).toBe(0);
    expect(createMessage({ body: false }).bdy).toBe(false);
    expect(createMessage({ body: null, bdy: '' }).bdy).toBeNull();
    expect('bdy' in createMessage({ to: 'a:/' })).toBe(false);
  });

  it('orders the keys of the message object as on the wire', () => {
    const m = createMessage({
      authorization: 'x',
      body: 1,
      forward: 'f',
      via: 'v',
      version: 'UMF/1.4.6',
      type: 't',
      timestamp: '2026-11-22T17:17:15.974Z',
      timeout: 1,
      signature: 's',
      rmid: 'r',
      mid: 'm',
      headers: {},
      from: 'b:/',
      to: 'a:/',
    });
    expect(Object.keys(m)).toEqual(SHORT_KEYS_IN_WIRE_ORDER);
  });

  it('rejects something that is not an object', () => {
    expect(() => createMessage(null as never)).toThrow(UmfValidationError);
  });
});

describe('toLong and toShort', () => {
  const short = createMessage({
    to: 'a:/',
    frm: 'b:/',
    hdr: { h: 1 },
    mid: 'm',
    rmid: 'r',
    sig: 's',
    tmo: 2,
    ts: '2026-11-22T17:17:15.974Z',
    typ: 't',
    via: 'v:/',
    fwd: 'f:/',
    bdy: { x: 1 },
    aut: 'z',
  });

  it("toLong gives the long form with keys in Hydra's long-form order", () => {
    const long = toLong(short);
    expect(Object.keys(long)).toEqual([
      'to',
      'from',
      'headers',
      'mid',
      'rmid',
      'signature',
      'timeout',
      'timestamp',
      'type',
      'version',
      'via',
      'forward',
      'body',
      'authorization',
    ]);
    expect(long).toMatchObject({
      from: 'b:/',
      headers: { h: 1 },
      signature: 's',
      timeout: 2,
      timestamp: short.ts,
      body: { x: 1 },
    });
  });

  it('toShort(toLong(m)) gives m back', () => {
    expect(toShort(toLong(short))).toEqual(short);
  });

  it("toLong leaves out a falsy body, as Hydra's long form does", () => {
    expect('body' in toLong({ ...short, bdy: 0 })).toBe(false);
  });
});
