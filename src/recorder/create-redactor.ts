import { createHmac, randomBytes } from 'node:crypto';
import type { Entry } from '../core/cassette.js';
import { createPathMatcher } from '../core/create-path-matcher.js';
import { isCredentialPath } from './is-credential-path.js';

/** What to hide while recording. */
export interface RedactorOptions {
  /** Replace credentials by fakes (default true). */
  credentials?: boolean;
  /** Path globs whose whole body is replaced (see `createPathMatcher`). */
  paths?: readonly string[];
  /** Key that derives the fakes; random per recording when absent, and never stored. */
  key?: Uint8Array;
  /**
   * Entries an earlier recording already redacted (the keys in its `meta.redacted`), kept as they
   * are: their credential values are that recording's fakes, so `findLeaks` accepts them.
   */
  redactedBefore?: Readonly<Record<string, Entry>>;
}

/** Hides secrets in entries as they are recorded, and remembers what it replaced. */
export interface Redactor {
  /**
   * The entry as it may be written: credentials faked (in credential documents at any key, with or
   * without a trailing slash, and in any JSON body that holds credential fields), and leaves matched
   * by `paths` replaced. Keys ending in `/` are directories: their listings are kept.
   */
  redactEntry(key: string, entry: Entry): Entry;
  /**
   * Replaces every secret seen so far wherever else it occurs (another path, user-data bytes), and
   * redacts a slash key matched by `paths` that has nothing recorded under it: that is a leaf asked
   * with a trailing slash, not a listing.
   */
  scrub(entries: Readonly<Record<string, Entry>>): Record<string, Entry>;
  /**
   * `Field at path` for every secret seen so far that still occurs in `entries`, and (unless
   * credentials are kept) for every credential field in a JSON body that is not a fake (empty when
   * nothing leaked).
   */
  findLeaks(entries: Readonly<Record<string, Entry>>): string[];
  /** Cassette keys whose content was replaced, sorted. */
  readonly redacted: string[];
}

/** The body that replaces a path matched by `--redact`. */
export const REDACTED_PLACEHOLDER = 'REDACTED';

const FIELDS = ['AccessKeyId', 'SecretAccessKey', 'Token'] as const;
type Field = (typeof FIELDS)[number];
const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
// Whoever decodes a fake token reads this, so nobody mistakes it for a leaked real one.
const TOKEN_BANNER = Buffer.from('aemm redacted session token - not valid on AWS\n');
// Shorter values are not real AWS secrets (test fixtures); replacing them everywhere would hit innocent text.
const MIN_SCRUB_LENGTH = 8;

function fieldPattern(field: Field): RegExp {
  // `"Field" : "value"` with IMDS's own spacing; the value may hold JSON escapes.
  return new RegExp(`("${field}"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)(")`, 'g');
}

function pick(bytes: Uint8Array, alphabet: string): string {
  // Both alphabets have a power-of-two length, so masking keeps the choice unbiased.
  let out = '';
  for (const byte of bytes) out += alphabet[byte & (alphabet.length - 1)];
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** An entry's body as text; undefined for bytes that are not UTF-8. */
function textOf(entry: Entry): string | undefined {
  if (entry.body !== undefined) return entry.body;
  if (entry.bodyBase64 === undefined) return undefined;
  try {
    return utf8.decode(Buffer.from(entry.bodyBase64, 'base64'));
  } catch {
    return undefined;
  }
}

/** Every credential field with a non-empty string value, at any depth of a JSON body; empty when the body is not JSON. */
function credentialValues(text: string): Array<{ field: Field; value: string }> {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return [];
  let document: unknown;
  try {
    document = JSON.parse(trimmed);
  } catch {
    return [];
  }
  const found: Array<{ field: Field; value: string }> = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [name, item] of Object.entries(value)) {
        if ((FIELDS as readonly string[]).includes(name) && typeof item === 'string' && item !== '')
          found.push({ field: name as Field, value: item });
        else walk(item);
      }
    }
  };
  walk(document);
  return found;
}

function withoutTrailingSlash(key: string): string {
  return key.length > 1 && key.endsWith('/') ? key.slice(0, -1) : key;
}

function jsonUnescape(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

function replaceAllBytes(bytes: Buffer, from: Buffer, to: Buffer): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  for (let at = bytes.indexOf(from); at !== -1; at = bytes.indexOf(from, start)) {
    parts.push(bytes.subarray(start, at), to);
    start = at + from.length;
  }
  if (start === 0) return bytes;
  parts.push(bytes.subarray(start));
  return Buffer.concat(parts);
}

function redactJsonStrings(value: unknown): unknown {
  if (typeof value === 'string') return REDACTED_PLACEHOLDER;
  if (Array.isArray(value)) return value.map(redactJsonStrings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, redactJsonStrings(item)]));
  }
  return value;
}

function placeholderFor(entry: Entry): Entry {
  const text = entry.body?.trim();
  if (text && (text.startsWith('{') || text.startsWith('['))) {
    try {
      // JSON stays JSON with its keys, so clients that parse it keep working.
      return { status: entry.status, headers: entry.headers, body: JSON.stringify(redactJsonStrings(JSON.parse(text)), null, 2) };
    } catch {
      // Not JSON after all: fall through to the plain placeholder.
    }
  }
  return { status: entry.status, headers: entry.headers, body: REDACTED_PLACEHOLDER };
}

/**
 * A redactor for one recording. Credentials in `iam/security-credentials*` and
 * `identity-credentials/ec2/security-credentials` (and in any JSON body that holds credential
 * fields) become well-formed fakes of the same shape (ASIA key id, secret and token of the same
 * length), edited in place so IMDS's spacing stays byte-exact. Fakes are an HMAC of the real value
 * under a random per-recording key: the same real value gets the same fake on every path, and
 * nothing leads back to the real one.
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const key = options.key ?? randomBytes(32);
  const matches = createPathMatcher(options.paths ?? [], '--redact');
  const fakeCredentials = options.credentials ?? true;
  const fakes = new Map<string, { field: Field; fake: string }>();
  /** Values that are fakes: ours, and those of entries an earlier recording redacted. */
  const fakeValues = new Set<string>([REDACTED_PLACEHOLDER]);
  for (const entry of Object.values(options.redactedBefore ?? {})) {
    const text = textOf(entry);
    if (text !== undefined) for (const { value } of credentialValues(text)) fakeValues.add(value);
  }
  const redacted = new Set<string>();
  // Slash keys the last scrub replaced; recomputed each time, as a listing's children may arrive later.
  let scrubbedDirectories = new Set<string>();

  function derive(field: Field, real: string, length: number): Buffer {
    const chunks: Buffer[] = [];
    for (let block = 0, total = 0; total < length; block++) {
      const chunk = createHmac('sha256', key).update(`${field}\0${block}\0${real}`).digest();
      chunks.push(chunk);
      total += chunk.length;
    }
    return Buffer.concat(chunks).subarray(0, length);
  }

  function fakeFor(field: Field, real: string): string {
    const known = fakes.get(real);
    if (known && known.field === field) return known.fake;
    let fake: string;
    if (field === 'AccessKeyId') {
      fake = `ASIA${pick(derive(field, real, Math.max(real.length, 20) - 4), KEY_ID_ALPHABET)}`;
    } else if (field === 'SecretAccessKey') {
      fake = pick(derive(field, real, real.length >= 16 ? real.length : 40), SECRET_ALPHABET);
    } else {
      // Same length as the real token; base64 of random bytes with the banner inside.
      const bytes = Buffer.concat([derive(field, real, 12), TOKEN_BANNER, derive(field, `${real}\0tail`, Math.ceil(real.length * 0.75))]);
      const padding = /=*$/.exec(real)![0].length;
      const base = bytes
        .toString('base64')
        .replace(/=/g, '')
        .slice(0, real.length - padding);
      fake = base + '='.repeat(padding);
    }
    fakes.set(real, { field, fake });
    fakeValues.add(fake);
    return fake;
  }

  function fakeCredentialFields(body: string): string {
    let out = body;
    for (const field of FIELDS) {
      out = out.replace(fieldPattern(field), (_match, before: string, raw: string, after: string) => {
        const real = jsonUnescape(raw);
        if (real === '') return `${before}${raw}${after}`;
        return `${before}${JSON.stringify(fakeFor(field, real)).slice(1, -1)}${after}`;
      });
    }
    return out;
  }

  function scrubbable(): Array<[string, string]> {
    return [...fakes].filter(([real]) => real.length >= MIN_SCRUB_LENGTH).map(([real, { fake }]) => [real, fake]);
  }

  function scrubEntry(entry: Entry, pairs: Array<[string, string]>): Entry {
    if (entry.body !== undefined) {
      let body = entry.body;
      for (const [real, fake] of pairs) if (body.includes(real)) body = body.split(real).join(fake);
      return body === entry.body ? entry : { ...entry, body };
    }
    if (entry.bodyBase64 !== undefined) {
      const bytes = Buffer.from(entry.bodyBase64, 'base64');
      let out: Buffer = bytes;
      for (const [real, fake] of pairs) out = replaceAllBytes(out, Buffer.from(real), Buffer.from(fake));
      return out === bytes ? entry : { ...entry, bodyBase64: out.toString('base64') };
    }
    return entry;
  }

  return {
    redactEntry(path, entry) {
      if (!path.endsWith('/') && matches(path)) {
        redacted.add(path);
        return placeholderFor(entry);
      }
      if (!fakeCredentials) return entry;
      const text = textOf(entry);
      if (text === undefined || !(isCredentialPath(path) || credentialValues(text).length > 0)) return entry;
      const faked = fakeCredentialFields(text);
      if (faked === text) return entry;
      redacted.add(path);
      return entry.body !== undefined ? { ...entry, body: faked } : { ...entry, bodyBase64: Buffer.from(faked, 'utf8').toString('base64') };
    },
    scrub(entries) {
      const pairs = scrubbable();
      const parents = new Set<string>();
      for (const key of Object.keys(entries)) {
        for (let at = key.lastIndexOf('/', key.length - 2); at > 0; at = key.lastIndexOf('/', at - 1)) parents.add(key.slice(0, at + 1));
      }
      scrubbedDirectories = new Set();
      const out: Record<string, Entry> = {};
      for (const [path, entry] of Object.entries(entries)) {
        if (path !== '/' && path.endsWith('/') && !parents.has(path) && matches(withoutTrailingSlash(path))) {
          scrubbedDirectories.add(path);
          out[path] = placeholderFor(entry);
          continue;
        }
        const clean = pairs.length === 0 ? entry : scrubEntry(entry, pairs);
        if (clean !== entry) redacted.add(path);
        out[path] = clean;
      }
      return out;
    },
    findLeaks(entries) {
      const leaks = new Set<string>();
      for (const [path, entry] of Object.entries(entries)) {
        const bytes = entry.bodyBase64 !== undefined ? Buffer.from(entry.bodyBase64, 'base64') : Buffer.from(entry.body ?? '');
        for (const [real, { field }] of fakes) {
          if (real.length >= MIN_SCRUB_LENGTH && bytes.includes(real)) leaks.add(`${field} at ${path}`);
        }
        if (!fakeCredentials) continue;
        // Secrets never seen as such: a credentials document that reached no faking at all.
        const text = textOf(entry);
        if (text !== undefined)
          for (const { field, value } of credentialValues(text)) if (!fakeValues.has(value)) leaks.add(`${field} at ${path}`);
      }
      return [...leaks];
    },
    get redacted() {
      return [...new Set([...redacted, ...scrubbedDirectories])].sort();
    },
  };
}
