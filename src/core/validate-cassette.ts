import { decodeBase64 } from './base64.js';
import { CASSETTE_FORMAT, type Cassette } from './cassette.js';
import { CassetteError } from './errors.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first problem in one entry, phrased to follow `entry "<key>" `, or undefined when it is well-formed. */
function entryProblem(key: string, entry: unknown): string | undefined {
  if (!key.startsWith('/') || /\/\/|[?#]/.test(key)) return 'is not an absolute path without "//", "?" or "#"';
  if (!isObject(entry)) return 'is not an object';
  if (entry.status === undefined) return 'has no status';
  if (!Number.isInteger(entry.status) || (entry.status as number) < 100 || (entry.status as number) > 599) {
    return `has status ${JSON.stringify(entry.status)}, not an HTTP status code`;
  }
  if (!isObject(entry.headers)) return 'has no headers object';
  for (const [name, value] of Object.entries(entry.headers)) {
    if (typeof value !== 'string') return `has a non-string value for header "${name}"`;
    if (name !== name.toLowerCase()) return `has header "${name}" in upper case`;
    // HTTP allows only these in a header; anything else would make the server refuse to send it.
    if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(name)) return `has header ${JSON.stringify(name)}, which is not a valid header name`;
    if (!/^[\t\x20-\x7e\x80-\xff]*$/.test(value)) return `has a value for header "${name}" with characters HTTP cannot carry`;
  }
  if (entry.body !== undefined && entry.bodyBase64 !== undefined) return 'has both body and bodyBase64';
  if (entry.body !== undefined && typeof entry.body !== 'string') return 'has a body that is not a string';
  if (entry.bodyBase64 !== undefined && (typeof entry.bodyBase64 !== 'string' || !decodeBase64(entry.bodyBase64))) {
    return 'has a bodyBase64 that is not base64';
  }
  for (const field of Object.keys(entry)) {
    if (!['status', 'headers', 'body', 'bodyBase64'].includes(field)) return `has unknown field "${field}"`;
  }
  return undefined;
}

/**
 * Checks that `value` is a v1 cassette and returns it typed; throws a CassetteError naming
 * `source`, the entry and the problem otherwise. Mirrors `cassette.schema.json`.
 */
export function validateCassette(value: unknown, source: string): Cassette {
  if (!isObject(value)) throw new CassetteError(source, 'the file is not a JSON object');
  if (value.format !== CASSETTE_FORMAT) {
    throw new CassetteError(source, `format is ${JSON.stringify(value.format)}, expected "${CASSETTE_FORMAT}"`,
      'Re-record it with this aemm, or set "format" if the file was written by hand.');
  }
  const meta = value.meta;
  if (!isObject(meta)) throw new CassetteError(source, 'it has no "meta" object');
  for (const field of ['recordedAt', 'source', 'recorder']) {
    if (typeof meta[field] !== 'string') throw new CassetteError(source, `meta.${field} is missing or not a string`);
  }
  if (!Array.isArray(meta.redacted) || !meta.redacted.every((item) => typeof item === 'string')) {
    throw new CassetteError(source, 'meta.redacted is missing or not a list of strings');
  }
  if (typeof meta.synthetic !== 'boolean') throw new CassetteError(source, 'meta.synthetic is missing or not true/false');
  if (!isObject(value.entries)) throw new CassetteError(source, 'it has no "entries" object');
  for (const [key, entry] of Object.entries(value.entries)) {
    const problem = entryProblem(key, entry);
    if (problem) throw new CassetteError(source, `entry "${key}" ${problem}`);
  }
  return value as unknown as Cassette;
}
