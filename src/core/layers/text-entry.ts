import type { Entry } from '../cassette.js';

/** A 200 text/plain entry, as IMDS serves every metadata value (JSON documents included). */
export function createTextEntry(body: string): Entry {
  return { status: 200, headers: { 'content-type': 'text/plain' }, body };
}
