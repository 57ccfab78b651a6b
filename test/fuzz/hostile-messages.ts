import { Buffer } from 'node:buffer';
import type { Generator, HostileContext } from './hostile.js';
import type { Prng } from './prng.js';

// Hostile messages for the service and instance channels, and the helpers the queue's share.

/** A message under construction. */
export type Fields = Record<string, unknown>;

export const DANGEROUS_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'toJSON',
  'then',
];
/** Truthy values of the wrong type for a string field. */
export const NOT_STRINGS: unknown[] = [5, -1, true, {}, [], ['a'], { toString: 1 }, 1e308];
export const BAD_ROUTES = ['no-colon', ':/x', 'a@:/', 'svc:[get/x', 'svc:[]/x'];
export const BAD_TS = [1, 'yesterday', '2026-13-01T00:00:00Z', '2026-11-22 17:17:15', '2026-11-22T25:00:00Z'];
export const FALSY_BODIES = [0, false, '', null];
export const UNICODE = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\u202e',
  '\ufeff',
  '\u2028',
  '😀',
  'é',
  '\\',
  '"',
  '\n',
];

/** A route on the service that the fuzz service serves, or does not; `dto` false: not the DTO route. */
export function serviceRoute(rng: Prng, ctx: HostileContext, dto = true): Fields {
  const r = rng.int(dto ? 0 : 1, 5);
  if (r === 0) return { to: `${ctx.service}:[post]/v1/fuzz/sum` };
  if (r === 1) return { to: `${ctx.service}:/`, typ: 'fuzz.echo' };
  if (r === 2) return { to: `${ctx.service}:/`, typ: 'fuzz.event' };
  if (r === 3) return { to: `${ctx.service}:[get]/v1/nowhere/${rng.text(4)}` };
  if (r === 4) return { to: `${rng.hexId()}@${ctx.service}:/`, typ: 'fuzz.echo' };
  return { to: `${ctx.service}:/`, typ: rng.text(rng.int(1, 12)) };
}

/** A sender that is not there: replies to it go nowhere. Never the service itself, nor the good client. */
export function ghostSender(rng: Prng): Fields {
  const service = `ghost-${rng.int(0, 3) === 0 ? rng.text(6) : rng.int(0, 9)}`;
  const r = rng.int(0, 2);
  if (r === 0) return { frm: `${service}:/` };
  if (r === 1) return { frm: `${rng.hexId()}@${service}:/` };
  return { frm: `${rng.hexId()}@${service}:/`, via: `${rng.hexId()}-${rng.text(4)}@ghost-router:/` };
}

/**
 * A valid message to the service from a ghost, in short form (a mix of long keys now and then).
 * `dto` false keeps it off the ValidationPipe route (see the `wide` and `huge` generators).
 */
export function validMessage(
  rng: Prng,
  ctx: HostileContext,
  bdy: unknown = { a: 1, b: 2, id: 'x' },
  dto = true,
): Fields {
  const m: Fields = { ...serviceRoute(rng, ctx, dto), ...ghostSender(rng) };
  if (rng.chance(0.5)) m.mid = `${rng.text(8)}-${rng.text(4)}`;
  if (rng.chance(0.3)) m.ts = '2026-11-22T17:17:15.974Z';
  if (rng.chance(0.2)) m.ver = 'UMF/1.4.6';
  if (rng.chance(0.1)) m.rmid = rng.text(36); // looks like a reply to nothing
  if (rng.chance(0.1)) m.hdr = { 'x-fuzz': rng.text(8) };
  m.bdy = bdy;
  if (rng.chance(0.15)) {
    m.from = m.frm;
    delete m.frm;
  }
  return m;
}

/** The text of `m` with `bodyText` spliced in as its `bdy` (for bodies JSON.stringify cannot make). */
export function withRawBody(m: Fields, bodyText: string): string {
  const { bdy: _bdy, body: _body, ...rest } = m;
  return `${JSON.stringify(rest).slice(0, -1)},"bdy":${bodyText}}`;
}

/** JSON text of an object holding every dangerous key, some nested. */
export function dangerousObject(rng: Prng, extra = ''): string {
  const members = DANGEROUS_KEYS.map((k) => {
    const v = rng.pick(['{"polluted":"yes"}', '{"prototype":{"polluted":"yes"}}', '1', '"x"', 'null', '[]']);
    return `"${k}":${v}`;
  });
  return `{${extra}${members.join(',')}}`;
}

export function nested(rng: Prng, depth: number): string {
  const [open, close, inner] = rng.chance(0.5) ? ['[', ']', '1'] : ['{"a":', '}', '1'];
  return open.repeat(depth) + inner + close.repeat(depth);
}

/** Shared by channels and queue: texts that cannot be a message at all. */
export const notMessages: Record<string, Generator> = {
  garbage: (rng) => ({
    kind: 'garbage',
    payload: rng.text(rng.size(200), 'xyz<>!#%&*;|~ \t'),
    verdict: 'reject',
  }),
  truncated: (rng, ctx) => {
    const bytes = Buffer.from(JSON.stringify(validMessage(rng, ctx, { s: rng.pick(UNICODE), n: 1 })));
    return { kind: 'truncated', payload: bytes.subarray(0, rng.int(1, bytes.length - 1)), verdict: 'reject' };
  },
  'not-object': (rng, ctx) => ({
    kind: 'not-object',
    payload: rng.pick([
      'null',
      '0',
      '-1e999',
      '"text"',
      'true',
      '[]',
      `[${JSON.stringify(validMessage(rng, ctx))}]`,
    ]),
    verdict: 'reject',
  }),
  'wrong-type': (rng, ctx) => {
    const m = validMessage(rng, ctx);
    const field = rng.pick([
      'to',
      'frm',
      'mid',
      'rmid',
      'typ',
      'sig',
      'via',
      'fwd',
      'aut',
      'ts',
      'ver',
      'tmo',
      'hdr',
      'bdy',
    ]);
    delete m.from;
    if (field === 'frm') m.frm = 'x:/';
    if (field === 'ts') m.ts = rng.pick(BAD_TS);
    else if (field === 'ver') m.ver = rng.pick(['1.4.6', 7, 'umf']);
    else if (field === 'tmo') m.tmo = rng.pick([-5, '5', [], {}]);
    else if (field === 'hdr') m.hdr = rng.pick([[], 'h', 3, true]);
    else if (field === 'bdy') m.bdy = rng.pick(FALSY_BODIES);
    else m[field] = rng.pick(NOT_STRINGS);
    return { kind: 'wrong-type', payload: JSON.stringify(m), verdict: 'reject' };
  },
  'bad-route': (rng, ctx) => {
    const m = validMessage(rng, ctx);
    delete m.from;
    if (rng.chance(0.5)) m.to = rng.pick(BAD_ROUTES);
    else m.frm = rng.pick(BAD_ROUTES);
    return { kind: 'bad-route', payload: JSON.stringify(m), verdict: 'reject' };
  },
  missing: (rng, ctx) => {
    const m = validMessage(rng, ctx);
    delete m.from;
    delete m[rng.pick(['to', 'frm', 'bdy'])];
    return { kind: 'missing', payload: JSON.stringify(m), verdict: 'reject' };
  },
  'duplicate-keys': (rng, ctx) => {
    const text = JSON.stringify(validMessage(rng, ctx));
    return {
      kind: 'duplicate-keys',
      payload: `${text.slice(0, -1)},"to":${rng.pick(['5', '{}', '"nocolon"'])}}`,
      verdict: 'reject',
    };
  },
  'proto-only': (rng, ctx) => {
    // The routing fields only inside "__proto__": an own key of the parsed object, never its prototype.
    const inner = JSON.stringify(validMessage(rng, ctx));
    return {
      kind: 'proto-only',
      payload: `{"__proto__":${inner},"constructor":${inner}}`,
      verdict: 'reject',
    };
  },
  bom: (rng, ctx) => ({
    kind: 'bom',
    payload: `\ufeff${JSON.stringify(validMessage(rng, ctx))}`,
    verdict: 'reject',
  }),
  'bad-utf8-outside': (rng, ctx) => {
    const text = JSON.stringify(validMessage(rng, ctx));
    const at = text.indexOf(',');
    const bad = Buffer.from(
      rng.pick([[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]),
    );
    return {
      kind: 'bad-utf8-outside',
      payload: Buffer.concat([Buffer.from(text.slice(0, at)), bad, Buffer.from(text.slice(at))]),
      verdict: 'reject',
    };
  },
};

/** Valid messages with hostile content, for the service and instance channels. */
export const hostileMessages: Record<string, Generator> = {
  'proto-keys': (rng, ctx) => {
    const m = validMessage(rng, ctx);
    delete m.bdy;
    const text = withRawBody(m, dangerousObject(rng, '"a":1,"b":2,"id":"p",'));
    return {
      kind: 'proto-keys',
      payload: `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},${text.slice(1)}`,
      verdict: 'accept',
    };
  },
  deep: (rng, ctx) => ({
    kind: 'deep',
    payload: withRawBody(validMessage(rng, ctx), nested(rng, rng.size(100_000))),
    verdict: 'accept',
  }),
  // class-transformer, under Nest's ValidationPipe, takes about 1 s per million array items and is
  // quadratic in the number of keys (40,000: 3 s here): a DTO handler given such a body blocks the event
  // loop past the presence TTL, and callers drop the instance. That cost is the application's choice of
  // pipe, not hydra-nest's, so huge arrays and wide objects go to the other routes (see the README).
  huge: (rng, ctx) => {
    const bytes = Math.max(65_536, rng.size(ctx.hugeMaxBytes));
    const array = rng.chance(0.3);
    const body = array
      ? `[${'1,'.repeat(Math.ceil(bytes / 2))}1]`
      : `{"blob":"${rng.text(64).repeat(Math.ceil(bytes / 64))}"}`;
    // Over messaging's default 8 MiB no sender would send it; a receiver may drop it or take it.
    const verdict = bytes >= 8 * 2 ** 20 - 1024 ? 'either' : 'accept';
    return { kind: 'huge', payload: withRawBody(validMessage(rng, ctx, {}, !array), body), verdict };
  },
  wide: (rng, ctx) => {
    const dto = rng.chance(0.2);
    const n = rng.size(dto ? 5_000 : 50_000);
    const members = Array.from({ length: n }, (_, i) => `"k${i}":${i}`);
    const m = validMessage(rng, ctx, {}, dto);
    return { kind: 'wide', payload: withRawBody(m, `{${members.join(',')}}`), verdict: 'accept' };
  },
  'long-route': (rng, ctx) => {
    const m = validMessage(rng, ctx);
    const long = rng.text(64).repeat(rng.size(16_000));
    const ghost = `ghost-${long.slice(0, rng.size(4096))}`;
    const r = rng.int(0, 2);
    if (r === 0) m.to = `${ctx.service}:/${long}`;
    // A reply to a service without an instance id goes to any of its instances: it is looked for.
    else m[m.frm ? 'frm' : 'from'] = r === 1 ? `${rng.hexId()}@${ghost}:/` : `${ghost}:/`;
    return { kind: 'long-route', payload: JSON.stringify(m), verdict: 'accept' };
  },
  'bad-utf8-inside': (rng, ctx) => {
    const m = validMessage(rng, ctx, { text: 'BAD', a: 1, b: 2, id: 'u' });
    const [before, after] = JSON.stringify(m).split('BAD') as [string, string];
    const bad = Buffer.from(rng.pick([[0xff, 0xfe], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80]]));
    return {
      kind: 'bad-utf8-inside',
      payload: Buffer.concat([Buffer.from(before), bad, Buffer.from(after)]),
      verdict: 'accept',
    };
  },
  unicode: (rng, ctx) => {
    const s = Array.from({ length: rng.int(1, 20) }, () => rng.pick(UNICODE)).join('');
    return {
      kind: 'unicode',
      payload: JSON.stringify(validMessage(rng, ctx, { a: 1, b: 2, id: s, [s]: s })),
      verdict: 'accept',
    };
  },
  numbers: (rng, ctx) => {
    const n = rng.pick(['1e999', '-1e999', '-0', '1e-400', '123456789012345678901234567890', '0.1e1']);
    return {
      kind: 'numbers',
      payload: withRawBody(validMessage(rng, ctx), `{"a":${n},"b":${n},"id":"n"}`),
      verdict: 'accept',
    };
  },
  'failing-event': (rng, ctx) => {
    const m = { ...validMessage(rng, ctx, { fail: rng.text(8) }), to: `${ctx.service}:/`, typ: 'fuzz.event' };
    return { kind: 'failing-event', payload: JSON.stringify(m), verdict: 'accept' };
  },
  'ghost-request': (rng, ctx) => ({
    kind: 'ghost-request',
    payload: JSON.stringify(
      validMessage(rng, ctx, { a: rng.int(-9, 9), b: rng.int(-9, 9), id: rng.text(5) }),
    ),
    verdict: 'accept',
  }),
};
