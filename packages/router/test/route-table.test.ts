import { describe, expect, it } from 'vitest';
import { RouteTable, type RouteLookup } from '../src/index.js';

const services = (lookup: RouteLookup) =>
  lookup.kind === 'found' ? lookup.matches.map((m) => `${m.service} ${m.route.route}`) : lookup.kind;

describe('RouteTable', () => {
  const table = new RouteTable();
  table.replaceAll({
    'users-svc': ['[get]/v1/users/:id', '[post]/v1/users', '[get]/v1/users/me', '/v1/users/:id/avatar'],
    'files-svc': ['[get]/v1/files/*path', '[get]/v1/items(/:id)', 'not a route'],
    'shadow-svc': ['[get]/v1/users/:id'],
  });

  it('matches Hydra route strings with parameters, splats and optional parts, decoding parameters', () => {
    const found = table.lookup('GET', '/v1/users/a%20b');
    expect(found.kind === 'found' && found.matches[0]!.params).toEqual({ id: 'a b' });
    expect(services(table.lookup('GET', '/v1/files/a/b/c.txt'))).toEqual(['files-svc [get]/v1/files/*path']);
    expect(services(table.lookup('GET', '/v1/items'))).toEqual(['files-svc [get]/v1/items(/:id)']);
    expect(services(table.lookup('GET', '/v1/items/4'))).toEqual(['files-svc [get]/v1/items(/:id)']);
  });

  it('puts a literal route before a parameter route, then orders equals by service name', () => {
    expect(services(table.lookup('GET', '/v1/users/me'))).toEqual([
      'users-svc [get]/v1/users/me',
      'shadow-svc [get]/v1/users/:id',
      'users-svc [get]/v1/users/:id',
    ]);
  });

  it('is method-aware: HEAD is answered by [get] routes, a method-less route answers any method', () => {
    expect(services(table.lookup('HEAD', '/v1/users/7'))).toHaveLength(2);
    expect(table.lookup('GET', '/v1/users')).toEqual({ kind: 'method-not-allowed', allow: ['POST'] });
    expect(services(table.lookup('DELETE', '/v1/users/7/avatar'))).toEqual([
      'users-svc /v1/users/:id/avatar',
    ]);
  });

  it('reaches a route without its trailing slash, and says not-found for anything else', () => {
    expect(services(table.lookup('POST', '/v1/users/'))).toEqual(['users-svc [post]/v1/users']);
    expect(table.lookup('GET', '/v2/users').kind).toBe('not-found');
  });

  it('replaces or removes one service’s routes and lists what it holds, skipping non-routes', () => {
    const copy = new RouteTable();
    copy.replaceAll({ a: ['[get]/a'], b: ['[get]/b'] });
    copy.replace('a', ['[get]/a2']);
    copy.replace('b', []);
    expect(copy.list()).toEqual([{ serviceName: 'a', routes: ['[get]/a2'] }]);
    expect(copy.lookup('GET', '/a').kind).toBe('not-found');
    expect(table.has('files-svc')).toBe(true);
    expect(table.lookup('GET', 'not a route').kind).toBe('not-found');
  });
});
