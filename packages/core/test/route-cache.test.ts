import { parseRoute } from '@hydra-nest/umf';
import { describe, expect, it } from 'vitest';
import { RouteCache } from '../src/messaging/route-cache.js';

describe('RouteCache', () => {
  it('parses each route as parseRoute does, and keeps short ones only', () => {
    const cache = new RouteCache();
    const long = `ghost-svc:/${'x'.repeat(1_000_000)}`;
    expect(cache.parse('users-svc:[get]/v1/users')).toEqual(parseRoute('users-svc:[get]/v1/users'));
    expect(cache.parse(long)).toEqual(parseRoute(long));
    // A megabyte route kept 1,024 times over would be a gigabyte: it is parsed again instead.
    const kept = (cache as unknown as { routes: Map<string, unknown> }).routes;
    expect([...kept.keys()]).toEqual(['users-svc:[get]/v1/users']);
  });
});
