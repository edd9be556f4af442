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

/** What routing asks a profile about the cassette seen through the request's layers. */
export interface RouteIndex {
  /** Whether an API version is served (`latest`, dated ones). */
  hasVersion(version: string): boolean;
  hasLeaf(key: string): boolean;
  hasListing(dir: string): boolean;
}

/**
 * Where a target lands: `significant` slashes (IMDS) turn a directory without its slash into a
 * redirect and prefer a directory's listing when the slash is there; `ignored` slashes (AEMM,
 * whose middleware strips them) serve a leaf, else a listing.
 */
export function routeTarget(target: RequestTarget, index: RouteIndex, slashes: 'significant' | 'ignored'): Route {
  const [version, ...rest] = target.segments;
  if (version === undefined) return { kind: 'versions' };
  if (!index.hasVersion(version)) return { kind: 'missing' };
  if (rest.length === 2 && rest[0] === 'api' && rest[1] === 'token') return { kind: 'token' };
  const restPath = rest.join('/');
  if (restPath === '') return index.hasListing('/latest/') ? { kind: 'listing', dir: '/latest/' } : { kind: 'missing' };
  const key = `/latest/${restPath}`;
  const dir = `${key}/`;
  if (slashes === 'ignored') {
    if (index.hasLeaf(key)) return { kind: 'leaf', key, asDirectory: target.trailingSlash };
    return index.hasListing(dir) ? { kind: 'listing', dir } : { kind: 'missing' };
  }
  if (target.trailingSlash) {
    if (index.hasListing(dir)) return { kind: 'listing', dir };
    return index.hasLeaf(key) ? { kind: 'leaf', key, asDirectory: true } : { kind: 'missing' };
  }
  if (index.hasLeaf(key)) return { kind: 'leaf', key, asDirectory: false };
  return index.hasListing(dir) ? { kind: 'redirect' } : { kind: 'missing' };
}
