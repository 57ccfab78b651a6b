import { RequestMethod } from '@nestjs/common';

/**
 * The verbs an `@All()` handler is published under: Hydra route strings carry one method each, and
 * these are the ones hydra-router and `makeAPIRequest` callers send.
 */
export const ALL_METHODS_PUBLISHED_AS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * Turns a Nest (path-to-regexp) path into the route-parser syntax Hydra route strings use: slashes
 * collapsed, no trailing slash, optional groups `{/:id}` written `(/:id)`. `:param` and `*splat` are
 * the same in both.
 */
export function toHydraPath(path: string): string {
  const collapsed = `/${path}`.replace(/\/{2,}/g, '/');
  const trimmed = collapsed.length > 1 ? collapsed.replace(/\/+$/, '') : collapsed;
  return trimmed.replace(/\{/g, '(').replace(/\}/g, ')');
}

/**
 * Hydra route strings (`[get]/v1/users/:id`) of one handler: one per path and method, methods in lower
 * case, `RequestMethod.ALL` expanded to {@link ALL_METHODS_PUBLISHED_AS}.
 */
export function toHydraRoutes(requestMethod: RequestMethod, paths: readonly string[]): string[] {
  const methods =
    requestMethod === RequestMethod.ALL
      ? [...ALL_METHODS_PUBLISHED_AS]
      : [String(RequestMethod[requestMethod]).toLowerCase()];
  return methods.flatMap((method) => paths.map((path) => `[${method}]${toHydraPath(path)}`));
}

/** Concatenates route lists, keeping the first occurrence of each route. */
export function mergeRoutes(...lists: ReadonlyArray<readonly string[] | undefined>): string[] {
  return [...new Set(lists.flatMap((list) => list ?? []))];
}
