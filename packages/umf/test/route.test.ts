import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, routeKey, UmfRouteError, type UmfRoute } from '../src/index.js';

describe('parseRoute', () => {
  it('reads a bare service route: "svc:/" is service svc, path "/"', () => {
    expect(parseRoute('svc:/')).toEqual({ service: 'svc', path: '/' });
  });

  it('takes a leading [method] off the path and lower-cases it', () => {
    expect(parseRoute('svc:[get]/v1/a/b')).toEqual({ service: 'svc', method: 'get', path: '/v1/a/b' });
    expect(parseRoute('svc:[POST]/v1/a').method).toBe('post');
  });

  it('reads an instance prefix and keeps colons inside the path', () => {
    expect(parseRoute('abc@svc:[post]/v1/x:y')).toEqual({
      instance: 'abc',
      service: 'svc',
      method: 'post',
      path: '/v1/x:y',
    });
  });

  it('splits instance-subID@ the way hydra-router addresses WebSocket clients', () => {
    expect(parseRoute('c86d0098a8fe4e948630fc5726614f32-k3x9q@hydra-router:/')).toEqual({
      instance: 'c86d0098a8fe4e948630fc5726614f32',
      subId: 'k3x9q',
      service: 'hydra-router',
      path: '/',
    });
  });

  it('keeps dashes in the service name when there is no instance prefix', () => {
    expect(parseRoute('hydra-router:/')).toEqual({ service: 'hydra-router', path: '/' });
  });

  it('takes only the text up to a second dash as subId, as Hydra does', () => {
    expect(parseRoute('a-b-c@svc:/')).toMatchObject({ instance: 'a', subId: 'b' });
  });

  it('treats an "@" after the first colon as part of the path', () => {
    expect(parseRoute('svc:/users/a@b.c')).toEqual({ service: 'svc', path: '/users/a@b.c' });
  });

  it('accepts an empty path, which only makeAPIRequest cares about', () => {
    expect(parseRoute('svc:')).toEqual({ service: 'svc', path: '' });
    expect(parseRoute('svc:[get]')).toEqual({ service: 'svc', method: 'get', path: '' });
  });

  it('rejects a route without a colon, saying what form is expected', () => {
    expect(() => parseRoute('users')).toThrow(UmfRouteError);
    expect(() => parseRoute('users')).toThrow(
      'route "users" has no ":" separating service and path; expected "service:/path" or "instance@service:[method]/path"',
    );
  });

  it('rejects a method with no closing "]"', () => {
    expect(() => parseRoute('svc:[get/v1/x')).toThrow(
      /route "svc:\[get\/v1\/x" opens an HTTP method with "\[" but never closes it/,
    );
  });

  it('rejects an empty service name and an empty [] method', () => {
    expect(() => parseRoute(':/x')).toThrow(/empty service name/);
    expect(() => parseRoute('abc@:/x')).toThrow(/empty service name/);
    expect(() => parseRoute('svc:[]/x')).toThrow(/empty "\[\]" HTTP method/);
  });

  it('rejects a value that is not a string', () => {
    expect(() => parseRoute(42 as unknown as string)).toThrow(/a route must be a string, got number/);
  });

  it('keeps the offending route on the error', () => {
    const err = (() => {
      try {
        parseRoute('nocolon');
      } catch (e) {
        return e as UmfRouteError;
      }
    })();
    expect(err?.route).toBe('nocolon');
    expect(err?.name).toBe('UmfRouteError');
  });
});

describe('formatRoute', () => {
  const routes = [
    'svc:/',
    'svc:[get]/v1/a/b',
    'abc@svc:[post]/v1/x:y',
    'c86d0098a8fe4e948630fc5726614f32-k3x9q@hydra-router:/',
    'hydra-router:/',
    'svc:',
  ];

  it.each(routes)('writes %s back exactly as it was parsed', (route) => {
    expect(formatRoute(parseRoute(route))).toBe(route);
  });

  it('lower-cases the method', () => {
    expect(formatRoute({ service: 'users', method: 'GET', path: '/v1/users' })).toBe('users:[get]/v1/users');
  });

  it('writes a subId without an instance with a leading dash, as Hydra would read it', () => {
    expect(formatRoute({ subId: 'c1', service: 'svc', path: '/' })).toBe('-c1@svc:/');
  });

  it.each<[string, UmfRoute]>([
    ['a colon in the service', { service: 'a:b', path: '/' }],
    ['an empty service', { service: '', path: '/' }],
    ['a dash in the instance', { instance: 'a-b', service: 's', path: '/' }],
    ['a dash in the subId', { instance: 'a', subId: 'b-c', service: 's', path: '/' }],
    ['a "]" in the method', { service: 's', method: 'g]', path: '/' }],
    ['a method-less path starting with "["', { service: 's', path: '[x]/' }],
  ])('refuses parts that would not parse back: %s', (_what, route) => {
    expect(() => formatRoute(route)).toThrow(UmfRouteError);
  });
});

describe('routeKey', () => {
  it('gives Hydra\'s route-set form "[method]/path" with the method lower-cased', () => {
    expect(routeKey('GET', '/v1/x')).toBe('[get]/v1/x');
  });

  it('gives just the path when there is no method', () => {
    expect(routeKey(undefined, '/v1/x')).toBe('/v1/x');
  });
});
