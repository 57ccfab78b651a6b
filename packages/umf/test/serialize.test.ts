import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import {
  createMessage,
  parseMessage,
  serializeMessage,
  UmfParseError,
  UmfValidationError,
  type UmfMessage,
} from '../src/index.js';
import { SHORT_KEYS_IN_WIRE_ORDER } from './wire-order.js';

const TS = '2026-11-22T17:17:15.974Z';

const full: UmfMessage = {
  // Deliberately out of order: serialisation must impose the wire order.
  aut: 'Bearer t',
  bdy: { n: 1, text: 'hi' },
  fwd: 'k3x9q@client:/',
  via: 'r1-c7@hydra-router:/',
  ver: 'UMF/1.4.6',
  typ: 'ping',
  ts: TS,
  tmo: 5,
  sig: 'abc123',
  rmid: 'r-1',
  mid: 'm-1',
  hdr: { 'x-a': '1' },
  frm: 'dea1225b75f6464e962405df1b5b7ffb@beta-svc:/',
  to: 'alpha-svc:[post]/v1/items',
};

describe('serializeMessage', () => {
  it('writes every field in the wire order to, frm, hdr, mid, rmid, sig, tmo, ts, typ, ver, via, fwd, bdy, aut', () => {
    expect(serializeMessage(full)).toBe(
      '{"to":"alpha-svc:[post]/v1/items","frm":"dea1225b75f6464e962405df1b5b7ffb@beta-svc:/","hdr":{"x-a":"1"},' +
        '"mid":"m-1","rmid":"r-1","sig":"abc123","tmo":5,"ts":"2026-11-22T17:17:15.974Z","typ":"ping",' +
        '"ver":"UMF/1.4.6","via":"r1-c7@hydra-router:/","fwd":"k3x9q@client:/","bdy":{"n":1,"text":"hi"},"aut":"Bearer t"}',
    );
  });

  it('equals JSON.stringify of an object built in the documented order', () => {
    const ordered = {
      to: full.to,
      frm: full.frm,
      hdr: full.hdr,
      mid: full.mid,
      rmid: full.rmid,
      sig: full.sig,
      tmo: full.tmo,
      ts: full.ts,
      typ: full.typ,
      ver: full.ver,
      via: full.via,
      fwd: full.fwd,
      bdy: full.bdy,
      aut: full.aut,
    };
    expect(serializeMessage(full)).toBe(JSON.stringify(ordered));
  });

  it('equals the JSON.stringify reference for strings that need escaping, non-strings and missing fields', () => {
    const strings = [
      'plain',
      'quote " inside',
      'back\\slash',
      'line\nbreak\ttab\u0001\u001f',
      'del \u007f é ü 漢字',
      'emoji 😀 pair',
      'lone \ud800 high',
      'lone \udfff low',
      'x'.repeat(300),
      '"'.repeat(300),
      '',
    ];
    const others: unknown[] = [
      0,
      7,
      1.5,
      Number.NaN,
      true,
      false,
      null,
      undefined,
      { a: ['"', 1] },
      [1, 'é'],
      () => 1,
    ];
    const fields = SHORT_KEYS_IN_WIRE_ORDER;
    const values = [...strings, ...others];
    let seed = 12345;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const reference = (m: Record<string, unknown>): string =>
      JSON.stringify(Object.fromEntries(fields.map((f) => [f, m[f] || undefined])));
    // Each value in each field, twice (the second time a repeated string is taken from the cache of
    // plain strings), and random mixtures.
    for (let round = 0; round < 2; round++) {
      for (const field of fields) {
        for (const value of values) {
          const m = { to: 'svc:/', frm: 'me:/', bdy: {}, [field]: value } as unknown as UmfMessage;
          expect(serializeMessage(m), `${field} = ${String(value)}`).toBe(reference(m as never));
        }
      }
    }
    for (let i = 0; i < 500; i++) {
      const m: Record<string, unknown> = {};
      for (const field of fields) if (next(3) > 0) m[field] = values[next(values.length)];
      expect(serializeMessage(m as unknown as UmfMessage)).toBe(reference(m));
    }
  });

  it('reproduces the message seen on the wire from Hydra 1.9.3', () => {
    const seen =
      '{"to":"alpha-svc:/","frm":"dea1225b75f6464e962405df1b5b7ffb@beta-svc:/","mid":"f02b4530-0e2e-48f5-8bd9-e68c0cede06e",' +
      '"ts":"2026-11-22T17:17:15.974Z","ver":"UMF/1.4.6","bdy":{"n":1,"text":"hi alpha"}}';
    expect(serializeMessage(parseMessage(seen))).toBe(seen);
  });

  it('leaves out falsy optional fields and unknown keys, as Hydra does', () => {
    const m = {
      ...createMessage({ to: 'a:/', frm: 'b:/', mid: 'm', ts: TS, bdy: {} }),
      typ: '',
      tmo: 0,
      extra: 1,
    };
    expect(serializeMessage(m)).toBe(
      `{"to":"a:/","frm":"b:/","mid":"m","ts":"${TS}","ver":"UMF/1.4.6","bdy":{}}`,
    );
  });
});

describe('parseMessage', () => {
  it('reads a short-form message as it is', () => {
    const raw = serializeMessage(full);
    expect(parseMessage(raw)).toEqual(full);
  });

  it('reads a Buffer', () => {
    expect(parseMessage(Buffer.from(serializeMessage(full)))).toEqual(full);
  });

  it('reads a long-form message and converts it to short form', () => {
    const raw = JSON.stringify({
      to: 'a:/',
      from: 'b:/',
      headers: { h: '1' },
      mid: 'm-2',
      timestamp: TS,
      version: 'UMF/1.4.6',
      type: 'job',
      body: { x: 1 },
      authorization: 'Basic x',
    });
    expect(parseMessage(raw)).toEqual({
      to: 'a:/',
      frm: 'b:/',
      hdr: { h: '1' },
      mid: 'm-2',
      ts: TS,
      typ: 'job',
      ver: 'UMF/1.4.6',
      bdy: { x: 1 },
      aut: 'Basic x',
    });
  });

  it('generates a missing mid, ts and ver, as Hydra does on receipt', () => {
    const m = parseMessage('{"to":"a:/","frm":"b:/","bdy":{}}');
    expect(m.mid).toHaveLength(36);
    expect(m.ts).toMatch(/Z$/);
    expect(m.ver).toBe('UMF/1.4.6');
  });

  it('drops fields UMF does not know', () => {
    expect(parseMessage('{"to":"a:/","frm":"b:/","bdy":{},"priority":1,"ttl":5}')).not.toHaveProperty(
      'priority',
    );
  });

  it('rejects text that is not JSON and shows what was received', () => {
    expect(() => parseMessage('hello there')).toThrow(UmfParseError);
    expect(() => parseMessage('hello there')).toThrow(/not valid JSON .*received "hello there"/);
  });

  it('cuts what was received to about 80 characters', () => {
    const err = catchError(() => parseMessage(`nope${'x'.repeat(500)}`)) as UmfParseError;
    expect(err.received.length).toBeLessThan(100);
    expect(err.message.length).toBeLessThan(250);
  });

  it('rejects JSON that is not an object, naming what it is', () => {
    expect(() => parseMessage('[1,2]')).toThrow('UMF message must be a JSON object, received array "[1,2]"');
    expect(() => parseMessage('null')).toThrow(/received null/);
    expect(() => parseMessage('"to"')).toThrow(/received string/);
  });

  it('rejects an invalid message with errors naming each field', () => {
    const err = catchError(() => parseMessage('{"frm":"b","bdy":0}')) as UmfValidationError;
    expect(err).toBeInstanceOf(UmfValidationError);
    expect(err.issues.map((i) => i.field)).toEqual(['to', 'frm', 'bdy']);
    expect(err.message).toMatch(/^invalid UMF message: "to" is required \(a route like "service:\/path"\)/);
    expect(err.message).toContain('"frm" is not a valid route: route "b" has no ":"');
    expect(err.message).toContain('"bdy" is 0');
    expect(err.umf?.mid).toHaveLength(36);
  });

  it('skips validation when asked to, accepting what Hydra accepts', () => {
    expect(parseMessage('{"bdy":0}', { validate: false })).toMatchObject({ bdy: 0, ver: 'UMF/1.4.6' });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}
