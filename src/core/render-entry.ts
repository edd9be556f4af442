import { decodeBase64 } from './base64.js';
import type { Entry } from './cassette.js';

// Recorded headers that describe one HTTP exchange, not the resource, and are never replayed.
const EXCHANGE_HEADERS = new Set(['content-length', 'date', 'connection', 'transfer-encoding', 'keep-alive', 'server']);
const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/**
 * The response headers real IMDS sends for an entry's bytes: the recorded ones that describe the
 * resource, text/plain by default, and `plain` (a leaf asked for with a trailing slash) turns
 * octet-stream into text/plain, as `user-data/` answers (docs/imds-behaviour.md §1).
 */
export function toEntryHeaders(entry: Entry | undefined, length: number, plain = false): Record<string, string> {
  const headers: Record<string, string> = {};
  if (entry)
    for (const [name, value] of Object.entries(entry.headers)) {
      if (!EXCHANGE_HEADERS.has(name)) headers[name] = value;
    }
  headers['content-type'] ??= 'text/plain';
  if (plain && headers['content-type'] === 'application/octet-stream') headers['content-type'] = 'text/plain';
  headers['content-length'] = String(length);
  headers.server = 'EC2ws';
  return headers;
}

/** An entry's recorded bytes. */
export function toEntryBytes(entry: Entry): Uint8Array {
  if (entry.bodyBase64 !== undefined) return decodeBase64(entry.bodyBase64) ?? EMPTY;
  return entry.body === undefined || entry.body === '' ? EMPTY : encoder.encode(entry.body);
}
