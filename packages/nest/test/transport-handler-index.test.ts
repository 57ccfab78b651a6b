import { parseRoute, type UmfMessage } from '@hydra-nest/umf';
import { describe, expect, it } from 'vitest';
import { HandlerIndex } from '../src/index.js';

const index = new HandlerIndex<string>([
  ['[get]/v1/images', 'list'],
  ['/v1/images', 'any-method'],
  ['/', 'root'],
  ['image.resize', 'by-typ'],
  ['[get]/v1/images/:id', 'one'],
  ['/v1/files/*rest', 'files'],
  ['/v1/a(/b)', 'optional'],
]);

const find = (to: string, typ?: string) =>
  index.find(
    { to, frm: 'x:/', mid: 'm', ts: '', ver: 'UMF/1.4.6', typ, bdy: {} } as UmfMessage,
    parseRoute(to),
  );

describe('HandlerIndex precedence', () => {
  it('prefers the exact [method]/path, then typ, then the exact path, then parameters', () => {
    expect(find('svc:[get]/v1/images', 'image.resize')).toBe('list');
    expect(find('svc:[post]/v1/images')).toBe('any-method');
    expect(find('svc:/', 'image.resize')).toBe('by-typ');
    expect(find('svc:/')).toBe('root');
    expect(find('svc:[get]/v1/images/7')).toBe('one');
    expect(find('svc:[post]/v1/images/7')).toBeUndefined();
  });

  it('ignores the query string and understands splats and optional segments', () => {
    expect(find('svc:[get]/v1/images?page=2')).toBe('list');
    expect(find('svc:[get]/v1/files/a/b.txt')).toBe('files');
    expect(find('svc:/v1/a')).toBe('optional');
    expect(find('svc:/v1/a/b')).toBe('optional');
    expect(find('svc:/v1/nothing', 'other')).toBeUndefined();
  });

  it('lists every pattern it serves, for error messages', () => {
    expect(index.patterns).toEqual(
      expect.arrayContaining(['[get]/v1/images', 'image.resize', '[get]/v1/images/:id', '/v1/files/*rest']),
    );
  });
});
