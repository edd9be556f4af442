import type { RequestTarget } from './parse-target.js';

/** Where a request lands in the cassette, before any bytes are chosen. Keys are `/latest/…`, directories end in "/". */
export type Route =
  /** `GET /`: the list of API versions. */
  | { kind: 'versions' }
  /** `/<version>/api/token` with a method other than PUT. */
  | { kind: 'token' }
  /** A leaf; `asDirectory` when it was asked for with a trailing slash. */
  | { kind: 'leaf'; key: string; asDirectory: boolean }
  /** A directory's listing. */
  | { kind: 'listing'; dir: string }
  /** A directory asked for without its trailing slash, where slashes matter (→ 301). */
  | { kind: 'redirect' }
  /** Nothing is served there. */
  | { kind: 'missing' };

/** What routing asks a profile about the cassette seen through the request's layers (`context`). */
export interface RouteIndex<C> {
  /** Whether an API version is served (`latest`, dated ones). */
  hasVersion(context: C, version: string): boolean;
  hasLeaf(context: C, key: string): boolean;
  hasListing(context: C, dir: string): boolean;
}

/**
 * Where a target lands: `significant` slashes (IMDS) turn a directory without its slash into a
 * redirect and prefer a directory's listing when the slash is there; `ignored` slashes (AEMM,
 * whose middleware strips them) serve a leaf, else a listing.
 */
export function routeTarget<C>(target: RequestTarget, index: RouteIndex<C>, context: C, slashes: 'significant' | 'ignored'): Route {
  const [version, ...rest] = target.segments;
  if (version === undefined) return { kind: 'versions' };
  if (!index.hasVersion(context, version)) return { kind: 'missing' };
  if (rest.length === 2 && rest[0] === 'api' && rest[1] === 'token') return { kind: 'token' };
  const restPath = rest.join('/');
  if (restPath === '') return index.hasListing(context, '/latest/') ? { kind: 'listing', dir: '/latest/' } : { kind: 'missing' };
  const key = `/latest/${restPath}`;
  const dir = `${key}/`;
  if (slashes === 'ignored') {
    if (index.hasLeaf(context, key)) return { kind: 'leaf', key, asDirectory: target.trailingSlash };
    return index.hasListing(context, dir) ? { kind: 'listing', dir } : { kind: 'missing' };
  }
  if (target.trailingSlash) {
    if (index.hasListing(context, dir)) return { kind: 'listing', dir };
    return index.hasLeaf(context, key) ? { kind: 'leaf', key, asDirectory: true } : { kind: 'missing' };
  }
  if (index.hasLeaf(context, key)) return { kind: 'leaf', key, asDirectory: false };
  return index.hasListing(context, dir) ? { kind: 'redirect' } : { kind: 'missing' };
}
