import { decodeBase64 } from './base64.js';

const ENTRY_FIELDS = new Set(['status', 'headers', 'body', 'bodyBase64']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// RFC 9110 §15.2, §15.3.5, §15.4.5: these answers end at their headers, so a body would be read as the next answer.
function carriesNoBody(status: number): boolean {
  return status < 200 || status === 204 || status === 304;
}

/**
 * The first problem in one cassette entry, phrased to follow `entry "<key>" `, or undefined when
 * it is well-formed. The recorder asks before it keeps an answer, the loader for every entry.
 */
export function findEntryProblem(key: string, entry: unknown): string | undefined {
  if (!key.startsWith('/') || /\/\/|[?#]/.test(key)) return 'is not an absolute path without "//", "?" or "#"';
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'has control characters in its path';
  if (!isObject(entry)) return 'is not an object';
  if (entry.status === undefined) return 'has no status';
  if (!Number.isInteger(entry.status) || (entry.status as number) < 100 || (entry.status as number) > 599) {
    return `has status ${JSON.stringify(entry.status)}, not an HTTP status code`;
  }
  if (!isObject(entry.headers)) return 'has no headers object';
  // for…in, not Object.entries: a 100k-entry cassette would leave 100k arrays behind per check.
  for (const name in entry.headers) {
    const value = entry.headers[name];
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
  if (
    carriesNoBody(entry.status as number) &&
    ((entry.body as string | undefined) ?? (entry.bodyBase64 as string | undefined) ?? '') !== ''
  ) {
    return `has status ${entry.status as number} with a body, which HTTP cannot frame`;
  }
  for (const field in entry) {
    if (!ENTRY_FIELDS.has(field)) return `has unknown field "${field}"`;
  }
  return undefined;
}
