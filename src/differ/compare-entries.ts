import { decodeBase64 } from '../core/base64.js';
import type { Entry } from '../core/cassette.js';
import { sha256 } from '../core/sha256.js';
import type { BytesSummary, ChangeDetail, JsonValue } from './change.js';
import { normaliseValue } from './normalise-value.js';

/** One side of an entry comparison. */
export interface EntrySide {
  /** The cassette key. */
  key: string;
  entry: Entry;
  /**
   * The line a listing compares by: the aligned name of the child it names, or null when that
   * child is ignored. Identity when paths are not aligned.
   */
  mapLine: (line: string) => string | null;
  /** The body is a secret or signature, compared by kind when normalising. */
  opaque: boolean;
}

// Headers that change on every request or follow from the body; they are only compared in raw mode.
const VOLATILE_HEADERS = new Set(['date', 'last-modified', 'etag', 'expires', 'age', 'content-length', 'connection', 'keep-alive']);
// Credentials fields are replaced by fakes at record time, so their values say nothing about the instance.
const SECRET_KEYS = new Set(['AccessKeyId', 'SecretAccessKey', 'Token']);

// Made on first use: a collator costs about 11 ms of ICU set-up, and this module loads with every aemm start.
let naturalOrder: Intl.Collator | undefined;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The body as text, or undefined when it is bytes that are not UTF-8. */
function textOf(entry: Entry): string | undefined {
  if (entry.bodyBase64 === undefined) return entry.body ?? '';
  const bytes = decodeBase64(entry.bodyBase64) ?? new Uint8Array(0);
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function bytesOf(entry: Entry): Uint8Array {
  if (entry.bodyBase64 !== undefined) return decodeBase64(entry.bodyBase64) ?? new Uint8Array(0);
  return new TextEncoder().encode(entry.body ?? '');
}

function summarise(bytes: Uint8Array): BytesSummary {
  let hex = '';
  for (const byte of sha256(bytes)) hex += byte.toString(16).padStart(2, '0');
  return { size: bytes.length, sha256: hex };
}

function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  const finalNewline = text.endsWith('\n');
  const body = finalNewline ? text.slice(0, -1) : text;
  return { lines: body === '' ? [] : body.split('\n'), finalNewline };
}

function parseDocument(text: string): JsonValue | undefined {
  const first = text.trimStart()[0];
  if (first !== '{' && first !== '[') return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

function isScalar(value: JsonValue): boolean {
  return value === null || typeof value !== 'object';
}

function joinKey(prefix: string, key: string): string {
  const plain = /^[A-Za-z_$][\w$-]*$/.test(key);
  if (prefix === '') return plain ? key : `[${JSON.stringify(key)}]`;
  return plain ? `${prefix}.${key}` : `${prefix}[${JSON.stringify(key)}]`;
}

/** Leaves of a document by key path; arrays of scalars count as one value. */
function flattenDocument(value: JsonValue, prefix: string, out: Map<string, JsonValue>): Map<string, JsonValue> {
  if (Array.isArray(value)) {
    if (value.every(isScalar) && prefix !== '') out.set(prefix, value);
    else value.forEach((item, index) => flattenDocument(item, `${prefix}[${index}]`, out));
  } else if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    // An empty object inside a document is a value; an empty document has no keys at all.
    if (keys.length === 0 && prefix !== '') out.set(prefix, value);
    for (const key of keys) flattenDocument(value[key]!, joinKey(prefix, key), out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

function normaliseJson(key: string, value: JsonValue): string {
  const last = key.slice(key.lastIndexOf('.') + 1);
  if (typeof value === 'string' && SECRET_KEYS.has(last)) return '"<secret>"';
  const fold = (item: JsonValue): JsonValue => (typeof item === 'string' ? normaliseValue(item) : item);
  return JSON.stringify(Array.isArray(value) ? value.map(fold) : fold(value));
}

/**
 * The shape of a JSON text with its values blanked: keys, order, spacing and punctuation stay, so
 * two documents with the same keys but different layout (AEMM's tabs vs IMDS's `" : "`) differ.
 */
function toLayout(text: string): string {
  let out = '';
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!;
    if (char === '"') {
      let end = at + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const literal = text.slice(at, end + 1);
      let next = end + 1;
      while (next < text.length && /\s/.test(text[next]!)) next++;
      out += text[next] === ':' ? literal : '""';
      at = end;
    } else if (/[-\d]/.test(char)) {
      while (at + 1 < text.length && /[-+\d.eE]/.test(text[at + 1]!)) at++;
      out += '0';
    } else {
      out += char;
    }
  }
  return out;
}

function diffDocuments(a: JsonValue, b: JsonValue, normalise: boolean): ChangeDetail[] {
  const before = flattenDocument(a, '', new Map());
  const after = flattenDocument(b, '', new Map());
  const compare = (key: string, value: JsonValue): string => (normalise ? normaliseJson(key, value) : JSON.stringify(value));
  const details: ChangeDetail[] = [];
  for (const [key, value] of before) {
    if (!after.has(key)) details.push({ type: 'key', op: 'removed', key, before: value });
    else if (compare(key, value) !== compare(key, after.get(key)!)) {
      details.push({ type: 'key', op: 'changed', key, before: value, after: after.get(key)! });
    }
  }
  for (const [key, value] of after) if (!before.has(key)) details.push({ type: 'key', op: 'added', key, after: value });
  return details;
}

/** Lines only one side has, compared as multisets of normalised lines, reported as the aligned lines. */
function diffLines(a: readonly string[], b: readonly string[], normalise: boolean): ChangeDetail[] {
  const form = normalise ? normaliseValue : (line: string): string => line;
  const countsOf = (lines: readonly string[]): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const line of lines) counts.set(form(line), (counts.get(form(line)) ?? 0) + 1);
    return counts;
  };
  const unmatched = (lines: readonly string[], other: Map<string, number>, op: 'added' | 'removed'): ChangeDetail[] => {
    const details: ChangeDetail[] = [];
    for (const line of lines) {
      const left = other.get(form(line)) ?? 0;
      if (left > 0) other.set(form(line), left - 1);
      else details.push({ type: 'line', op, line });
    }
    return details;
  };
  const removed = unmatched(a, countsOf(b), 'removed');
  const added = unmatched(b, countsOf(a), 'added');
  if (removed.length === 0 && added.length === 0 && a.map(form).join('\n') !== b.map(form).join('\n')) {
    return [{ type: 'layout', note: 'line order' }];
  }
  return [...removed, ...added];
}

function listingLines(side: EntrySide, text: string): { lines: string[]; finalNewline: boolean } {
  const { lines, finalNewline } = splitLines(text);
  const mapped: string[] = [];
  let renamed = false;
  for (const line of lines) {
    const aligned = side.mapLine(line);
    if (aligned !== null) mapped.push(aligned);
    if (aligned !== null && aligned !== line) renamed = true;
  }
  // Aligned names (`card-2.device-1/`) replace MACs, whose order meant nothing; number them in order instead.
  if (renamed) mapped.sort((naturalOrder ??= new Intl.Collator('en', { numeric: true })).compare);
  return { lines: mapped, finalNewline };
}

function compareBodies(a: EntrySide, b: EntrySide, normalise: boolean): ChangeDetail[] {
  const textA = textOf(a.entry);
  const textB = textOf(b.entry);
  if (textA === undefined || textB === undefined) {
    const bytesA = bytesOf(a.entry);
    const bytesB = bytesOf(b.entry);
    if (bytesA.length === bytesB.length && bytesA.every((byte, index) => byte === bytesB[index])) return [];
    return [{ type: 'bytes', before: summarise(bytesA), after: summarise(bytesB) }];
  }
  const isListing = a.key.endsWith('/');
  if (normalise && !isListing && (a.opaque || b.opaque)) return [];
  if (textA === textB && !isListing) return [];
  if (!isListing) {
    const docA = parseDocument(textA);
    const docB = parseDocument(textB);
    if (docA !== undefined && docB !== undefined) {
      const details = diffDocuments(docA, docB, normalise);
      const layoutDiffers = normalise ? toLayout(textA) !== toLayout(textB) : textA !== textB;
      if (details.length === 0 && layoutDiffers) details.push({ type: 'layout', note: 'key order or spacing' });
      return details;
    }
  }
  if (isListing || textA.includes('\n') || textB.includes('\n')) {
    const linesA = isListing ? listingLines(a, textA) : splitLines(textA);
    const linesB = isListing ? listingLines(b, textB) : splitLines(textB);
    const details = diffLines(linesA.lines, linesB.lines, normalise);
    if (linesA.finalNewline !== linesB.finalNewline) details.push({ type: 'layout', note: 'final newline' });
    return details;
  }
  if (normalise ? normaliseValue(textA) === normaliseValue(textB) : textA === textB) return [];
  return [{ type: 'value', before: textA, after: textB }];
}

function compareHeaders(a: Entry, b: Entry, normalise: boolean): ChangeDetail[] {
  const names = [...new Set([...Object.keys(a.headers), ...Object.keys(b.headers)])].sort();
  const details: ChangeDetail[] = [];
  for (const name of names) {
    if (normalise && VOLATILE_HEADERS.has(name)) continue;
    const before = a.headers[name] ?? null;
    const after = b.headers[name] ?? null;
    if (before !== after) details.push({ type: 'header', name, before, after });
  }
  return details;
}

/** What differs between two entries at the same aligned path; empty when they are equal. */
export function compareEntries(a: EntrySide, b: EntrySide, normalise: boolean): ChangeDetail[] {
  const details: ChangeDetail[] = [];
  if (a.entry.status !== b.entry.status) details.push({ type: 'status', before: a.entry.status, after: b.entry.status });
  details.push(...compareHeaders(a.entry, b.entry, normalise));
  details.push(...compareBodies(a, b, normalise));
  return details;
}

/** The details of an entry only one side has: its listing lines, its text, or its size and hash. */
export function describeEntry(side: EntrySide, op: 'added' | 'removed'): ChangeDetail[] {
  const text = textOf(side.entry);
  const place = <T>(value: T): { before: T | null; after: T | null } =>
    op === 'added' ? { before: null, after: value } : { before: value, after: null };
  if (text === undefined) return [{ type: 'bytes', ...place(summarise(bytesOf(side.entry))) }];
  if (side.key.endsWith('/')) return listingLines(side, text).lines.map((line) => ({ type: 'line', op, line }));
  return [{ type: 'value', ...place(text) }];
}
