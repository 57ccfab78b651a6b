import { describe, expect, it } from 'vitest';
import { assertValidMessage, createMessage, UmfValidationError, validateMessage } from '../src/index.js';

const valid = createMessage({ to: 'a:/', frm: 'b:/', bdy: {} });

function fields(m: unknown): string[] {
  return validateMessage(m).map((issue) => issue.field);
}

describe('validateMessage', () => {
  it('finds nothing wrong with a complete message', () => {
    expect(validateMessage(valid)).toEqual([]);
    expect(
      validateMessage({
        ...valid,
        hdr: {},
        rmid: 'r',
        typ: 't',
        sig: 's',
        tmo: 1.5,
        via: 'v:/',
        fwd: 'f',
        aut: 'x',
      }),
    ).toEqual([]);
  });

  it('requires to and frm, explaining what a route looks like', () => {
    expect(validateMessage({ bdy: {} })).toEqual([
      { field: 'to', message: '"to" is required (a route like "service:/path")' },
      { field: 'frm', message: '"frm" is required (a route like "service:/path" naming the sender)' },
    ]);
  });

  it('reports the route error of an unparsable to or frm', () => {
    expect(validateMessage({ ...valid, to: 'users' })).toEqual([
      {
        field: 'to',
        message:
          '"to" is not a valid route: route "users" has no ":" separating service and path; expected "service:/path" or "instance@service:[method]/path"',
      },
    ]);
  });

  it('keeps reporting an invalid route after a valid one was seen', () => {
    expect(fields({ ...valid, to: 'a:/' })).toEqual([]);
    expect(fields({ ...valid, to: 'a' })).toEqual(['to']);
  });

  it('rejects a route that is not a string', () => {
    expect(validateMessage({ ...valid, frm: 42 })[0]?.message).toBe(
      '"frm" must be a string route (a route like "service:/path" naming the sender), got 42',
    );
  });

  it('requires a body', () => {
    expect(validateMessage({ to: 'a:/', frm: 'b:/' })[0]?.message).toMatch(/^"bdy" is required .*\{\}/);
  });

  it.each([0, false, '', null, Number.NaN])(
    'rejects the falsy body %s, which Hydra peers would drop, suggesting {}',
    (bdy) => {
      const [issue] = validateMessage({ ...valid, bdy });
      expect(issue?.field).toBe('bdy');
      expect(issue?.message).toMatch(/Hydra peers drop falsy bodies; send an object such as \{\}/);
    },
  );

  it('points at long-form keys that were not converted', () => {
    const issues = validateMessage({ to: 'a:/', from: 'b:/', body: {} });
    expect(issues.map((i) => i.message).join(' ')).toMatch(/found long-form "from".*found long-form "body"/);
  });

  it('accepts ISO-8601 timestamps with a zone and rejects others', () => {
    for (const ts of [
      '2026-11-22T17:17:15.974Z',
      '2026-11-22T17:17:15Z',
      '2026-11-22T18:17+01:00',
      '2026-11-22t17:17:15z',
    ]) {
      expect(fields({ ...valid, ts })).toEqual([]);
    }
    for (const ts of [
      '2026-11-22',
      '2026-11-22T17:17:15',
      '2026-13-01T00:00:00Z',
      'yesterday',
      1700000000000,
    ]) {
      expect(fields({ ...valid, ts })).toEqual(['ts']);
    }
  });

  it('requires tmo to be a positive number of seconds', () => {
    expect(fields({ ...valid, tmo: 0 })).toEqual(['tmo']);
    expect(fields({ ...valid, tmo: -1 })).toEqual(['tmo']);
    expect(fields({ ...valid, tmo: '5' })).toEqual(['tmo']);
    expect(fields({ ...valid, tmo: Infinity })).toEqual(['tmo']);
  });

  it('requires hdr to be a plain object', () => {
    expect(fields({ ...valid, hdr: ['a'] })).toEqual(['hdr']);
    expect(fields({ ...valid, hdr: new Map() })).toEqual(['hdr']);
    expect(fields({ ...valid, hdr: Object.create(null) })).toEqual([]);
  });

  it('requires ver to start with UMF/', () => {
    expect(validateMessage({ ...valid, ver: '1.4.6' })[0]?.message).toBe(
      '"ver" must be a string like "UMF/1.4.6", got "1.4.6"',
    );
  });

  it('requires the other optional fields to be strings, and mid not to be empty', () => {
    expect(fields({ ...valid, mid: 7, rmid: 1, typ: {}, sig: [], via: 2, fwd: true, aut: 3 })).toEqual([
      'mid',
      'rmid',
      'typ',
      'sig',
      'via',
      'fwd',
      'aut',
    ]);
    expect(fields({ ...valid, mid: '' })).toEqual(['mid']);
  });

  it('rejects values that are not objects at all', () => {
    expect(validateMessage('x')).toEqual([
      { field: '(message)', message: 'a UMF message must be an object, got string' },
    ]);
    expect(fields([])).toEqual(['(message)']);
    expect(fields(null)).toEqual(['(message)']);
  });
});

describe('assertValidMessage', () => {
  it('lets a valid message through', () => {
    expect(() => assertValidMessage(valid)).not.toThrow();
  });

  it('throws a UmfValidationError listing every issue and naming the fields', () => {
    try {
      assertValidMessage({ frm: 'b:/', bdy: {}, tmo: -1 });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UmfValidationError);
      const e = err as UmfValidationError;
      expect(e.name).toBe('UmfValidationError');
      expect(e.issues.map((i) => i.field)).toEqual(['to', 'tmo']);
      expect(e.message).toBe(
        'invalid UMF message: "to" is required (a route like "service:/path"); "tmo" must be a positive number of seconds, got -1',
      );
    }
  });
});
