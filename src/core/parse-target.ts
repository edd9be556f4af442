import { MAX_PATH_LENGTH } from './max-path-length.js';

/** A request target split into decoded path segments, as the pipeline routes it. */
export interface RequestTarget {
  /** Decoded segments, without empty ones (`//latest//meta-data` → `latest`, `meta-data`). */
  segments: string[];
  trailingSlash: boolean;
  /** The path with repeated slashes collapsed and its original encoding kept (for a 301's Location). */
  rawPath: string;
}

const ABSOLUTE_FORM = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i;

/**
 * Splits a request target (origin or absolute form, query ignored) into decoded segments; undefined
 * when it cannot be decoded or is longer than `MAX_PATH_LENGTH`. Both profiles read paths this way: AEMM's Go server refuses bad escapes
 * before its router runs, and an encoded slash is refused by both.
 */
export function parseTarget(target: string): RequestTarget | undefined {
  // Real IMDS paths are short: a longer target is refused before anything reads, matches or logs it.
  if (target.length > MAX_PATH_LENGTH) return undefined;
  let path = target;
  if (path.charCodeAt(0) !== 47 /* "/" */) {
    // Absolute-form (`GET http://169.254.169.254/latest/ HTTP/1.1`), as proxies send it.
    const match = ABSOLUTE_FORM.exec(path);
    if (!match) return undefined;
    // An authority followed at once by a query (`http://host?x`) names the root.
    path = match[1]!.startsWith('/') ? match[1]! : `/${match[1]}`;
  }
  const end = path.search(/[?#]/);
  if (end !== -1) path = path.slice(0, end);
  // The JS SDK sends `//latest/…` (docs/imds-behaviour.md §6); real IMDS tolerates repeated slashes.
  const rawPath = path.includes('//') ? path.replace(/\/{2,}/g, '/') : path;
  const segments = rawPath.split('/');
  segments.shift();
  const trailingSlash = segments.length > 0 && segments[segments.length - 1] === '';
  if (trailingSlash) segments.pop();
  if (rawPath.includes('%')) {
    for (let i = 0; i < segments.length; i++) {
      try {
        segments[i] = decodeURIComponent(segments[i]!);
      } catch {
        return undefined;
      }
      // An encoded slash would let one segment stand for a path that layers never saw.
      if (segments[i]!.includes('/')) return undefined;
    }
  }
  return { segments, trailingSlash, rawPath };
}
