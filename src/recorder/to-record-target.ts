import { decodeSegments } from './decode-segments.js';

/**
 * Where a 200 answer to GET belongs in the cassette: a known key, or for a path asked with a
 * trailing slash, either the leaf or the directory (`leaf` + `/`), which only the upstream or the
 * cassette can tell (real IMDS answers a leaf asked with a slash, docs/imds-behaviour.md §1).
 */
export type RecordTarget = { key: string } | { leaf: string; probePath: string };

/** The record target for a request path, or undefined for the token API (tokens are never recorded). */
export function toRecordTarget(path: string): RecordTarget | undefined {
  const bare = path.replace(/[?#].*$/, '');
  const segments = decodeSegments(bare);
  if (!segments || segments[1] === 'api') return undefined;
  if (segments.length === 0) return { key: '/' };
  // `/latest` and `/latest/` are the same listing; cassettes key version roots with the slash.
  if (segments.length === 1) return { key: `/${segments[0]}/` };
  const leaf = `/${segments.join('/')}`;
  if (!bare.endsWith('/')) return { key: leaf };
  // Asked again without the slash, with the client's own encoding (and no repeated slashes).
  return {
    leaf,
    probePath: `/${bare
      .split('/')
      .filter((part) => part !== '')
      .join('/')}`,
  };
}
