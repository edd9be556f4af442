import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cassette, Entry } from '../core/cassette.js';
import { CassetteError } from '../core/errors.js';
import { validateCassette } from '../core/validate-cassette.js';

/** Absolute path of the embedded recording served when no cassette is named. */
export const DEFAULT_CASSETTE_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'recordings', 'default.json');

function describeReadError(error: NodeJS.ErrnoException, missingFix: string): [string, string] {
  switch (error.code) {
    case 'ENOENT':
      return ['the file does not exist', missingFix];
    case 'EACCES':
    case 'EPERM':
      return ['the file cannot be read (permission denied)', 'Make it readable by this user.'];
    case 'EISDIR':
      return ['it is a directory, not a file', 'Name a .json cassette file inside it.'];
    default:
      return [`the file cannot be read (${error.code ?? error.message})`, 'Check the path and try again.'];
  }
}

// A cassette this large leaves a burst of parse garbage (the file's text and more) behind.
const LARGE_BYTES = 8 * 1024 * 1024;

/** Entries with the same headers share one headers object: nearly every entry has the same few. */
function shareHeaders(entries: Record<string, Entry>): void {
  const shared = new Map<string, Record<string, string>>();
  for (const key in entries) {
    const entry = entries[key]!;
    let signature = '';
    for (const name in entry.headers) signature += `${name}\n${entry.headers[name]!}\n`;
    const found = shared.get(signature);
    if (found) entry.headers = found;
    else shared.set(signature, entry.headers);
  }
}

/**
 * One full collection right after a large load (see README, Design notes): V8 would otherwise keep
 * the load's garbage (the file's text alone is as big as the file) until its next major
 * collection, which an idle replay server may never reach.
 */
async function collectLoadGarbage(): Promise<void> {
  const [{ setFlagsFromString }, { runInNewContext }] = await Promise.all([import('node:v8'), import('node:vm')]);
  // `gc` appears only in contexts made while the flag is on; it is switched off again at once.
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as unknown;
  setFlagsFromString('--no-expose-gc');
  if (typeof collect === 'function') (collect as () => void)();
}

/** Parses and validates cassette JSON text; `source` names it in errors. */
export function parseCassette(text: string, source: string): Cassette {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CassetteError(source, `it is not valid JSON (${(error as Error).message})`);
  }
  const cassette = validateCassette(value, source);
  // Parsed from text, the entries are nobody else's: sharing their headers changes nothing a caller holds.
  shareHeaders(cassette.entries);
  return cassette;
}

/**
 * Reads, parses and validates a cassette file (the embedded default recording when no path is
 * given). `missingFix` is what a missing file's error suggests.
 */
export async function loadCassette(path: string = DEFAULT_CASSETTE_PATH, missingFix = 'Check the path.'): Promise<Cassette> {
  // Only to tell a large file; a file that cannot be read fails below, with its reason.
  const large = await stat(path).then(
    (stats) => stats.size >= LARGE_BYTES,
    () => false,
  );
  // Reading and parsing a large file grow V8's young generation (at its default growth factor,
  // 2) to 16–32 MB, which then stays resident for good. Held at its size (factor 1) until the
  // collection after the load, it stays at a few MB, for the same load time.
  const v8 = large ? await import('node:v8') : undefined;
  v8?.setFlagsFromString('--semi-space-growth-factor=1');
  try {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const [problem, fix] = describeReadError(error as NodeJS.ErrnoException, missingFix);
      throw new CassetteError(path, problem, fix);
    }
    const cassette = parseCassette(text, path);
    if (large) {
      text = '';
      await collectLoadGarbage();
    }
    return cassette;
  } finally {
    v8?.setFlagsFromString('--semi-space-growth-factor=2');
  }
}
