import { Buffer } from 'node:buffer';
import type { Generator } from './hostile.js';
import { dangerousObject, nested, withRawBody } from './hostile-messages.js';

// Hostile queue entries with valid envelopes, and hostile announcements.

/** Queue entries with valid envelopes that must still not complete, or that must. */
export const hostileJobs: Record<string, Generator> = {
  oversized: (rng, ctx) => {
    const pad = ctx.queueMaxBytes + rng.size(ctx.queueMaxBytes);
    const m = { to: `${ctx.service}:/`, frm: 'ghost:/', typ: 'fuzz.sink', bdy: { blob: 'x'.repeat(pad) } };
    return { kind: 'oversized', payload: JSON.stringify(m), verdict: 'reject' };
  },
  'no-worker': (rng, ctx) => {
    const m = { to: `${ctx.service}:/`, frm: 'ghost:/', typ: `fuzz.${rng.text(6)}`, bdy: { n: 1 } };
    return { kind: 'no-worker', payload: JSON.stringify(m), verdict: 'reject' };
  },
  'deep-no-worker': (rng, ctx) => {
    const m = { to: `${ctx.service}:/`, frm: 'ghost:/', typ: 'fuzz.nobody' };
    return {
      kind: 'deep-no-worker',
      payload: withRawBody(m, nested(rng, rng.size(100_000))),
      verdict: 'reject',
    };
  },
  'dto-invalid': (rng, ctx) => {
    const bdy = rng.pick<unknown>([
      { a: 'x', b: 1, id: 'd' },
      { a: 1 },
      [1, 2],
      'text',
      { a: 1, b: 2, id: 7 },
    ]);
    const m = { to: `${ctx.service}:/`, frm: 'ghost:/', typ: 'fuzz.dto', bdy };
    return { kind: 'dto-invalid', payload: JSON.stringify(m), verdict: 'reject' };
  },
  'bad-utf8-job': (rng, ctx) => {
    const [before, after] = JSON.stringify({
      to: `${ctx.service}:/`,
      frm: 'ghost:/',
      typ: 'fuzz.sink',
      bdy: { t: 'BAD' },
    }).split('BAD') as [string, string];
    const bad = Buffer.from(rng.pick([[0xff], [0xc3], [0xed, 0xa0, 0x80]]));
    return {
      kind: 'bad-utf8-job',
      payload: Buffer.concat([Buffer.from(before), bad, Buffer.from(after)]),
      verdict: 'reject',
    };
  },
  'proto-job': (rng, ctx) => {
    const text = withRawBody(
      { to: `${ctx.service}:/`, frm: 'ghost:/', typ: 'fuzz.dto' },
      dangerousObject(rng, '"a":1,"b":2,"id":"q",'),
    );
    return {
      kind: 'proto-job',
      payload: `{"__proto__":{"polluted":"yes"},${text.slice(1)}`,
      verdict: 'accept',
    };
  },
  'sink-job': (rng, ctx) => {
    const m = { to: `${ctx.service}:/`, frm: 'ghost:/', typ: 'fuzz.sink' };
    // Under the size limit: a level of nesting takes at most 6 bytes.
    const body = rng.chance(0.5)
      ? nested(rng, rng.size(Math.min(100_000, Math.floor(ctx.queueMaxBytes / 8))))
      : `{"blob":"${'y'.repeat(rng.size(ctx.queueMaxBytes / 2))}"}`;
    return { kind: 'sink-job', payload: withRawBody(m, body), verdict: 'accept' };
  },
};

export const ANNOUNCEMENTS: Generator[] = [
  (rng) => ({
    kind: 'announce-garbage',
    payload: rng.pick(['null', '1', '"x"', '[]', 'true', '{', rng.text(20)]),
    verdict: 'either',
  }),
  (rng, ctx) => ({
    kind: 'announce-malformed',
    payload: JSON.stringify(
      rng.pick<unknown>([
        { event: 'up', service: ctx.service, instanceId: rng.hexId(), instance: 'not an object' },
        { event: 'up', service: ctx.service, instanceId: rng.hexId(), instance: { port: 1 } },
        { event: 'up', service: ctx.service, instanceId: rng.hexId(), instance: [1, 2] },
        { event: 'up', service: ctx.service, instanceId: 5, instance: {} },
        { event: 'sideways', service: ctx.service, instanceId: ctx.instanceId },
        { event: 'up', service: { toString: 1 }, instanceId: rng.hexId() },
        { service: ctx.service },
      ]),
    ),
    verdict: 'either',
  }),
];
