import { CASSETTE_FORMAT, type Cassette } from './cassette.js';
import { CassetteError } from './errors.js';
import { escapeControlChars } from './escape-control-chars.js';
import { findEntryProblem } from './find-entry-problem.js';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks that `value` is a v1 cassette and returns it typed; throws a CassetteError naming
 * `source`, the entry and the problem otherwise. Mirrors `cassette.schema.json`.
 */
export function validateCassette(value: unknown, source: string): Cassette {
  if (!isObject(value)) throw new CassetteError(source, 'the file is not a JSON object');
  if (value.format !== CASSETTE_FORMAT) {
    throw new CassetteError(
      source,
      `format is ${JSON.stringify(value.format)}, expected "${CASSETTE_FORMAT}"`,
      'Re-record it with this aemm, or set "format" if the file was written by hand.',
    );
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
  for (const field of ['instanceType', 'region', 'availabilityZone']) {
    if (meta[field] !== undefined && typeof meta[field] !== 'string') throw new CassetteError(source, `meta.${field} is not a string`);
  }
  const incomplete = meta.incomplete;
  if (
    incomplete !== undefined &&
    incomplete !== true &&
    !(Array.isArray(incomplete) && incomplete.every((item) => typeof item === 'string'))
  ) {
    throw new CassetteError(source, 'meta.incomplete is neither true nor a list of paths');
  }
  if (!isObject(value.entries)) throw new CassetteError(source, 'it has no "entries" object');
  const entries = value.entries;
  for (const key in entries) {
    const entry = entries[key];
    const problem = findEntryProblem(key, entry);
    if (problem) throw new CassetteError(source, `entry "${escapeControlChars(key)}" ${problem}`);
  }
  return value as unknown as Cassette;
}
