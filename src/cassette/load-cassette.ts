import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cassette } from '../core/cassette.js';
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

/** Parses and validates cassette JSON text; `source` names it in errors. */
export function parseCassette(text: string, source: string): Cassette {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CassetteError(source, `it is not valid JSON (${(error as Error).message})`);
  }
  return validateCassette(value, source);
}

/**
 * Reads, parses and validates a cassette file (the embedded default recording when no path is
 * given). `missingFix` is what a missing file's error suggests.
 */
export async function loadCassette(path: string = DEFAULT_CASSETTE_PATH, missingFix = 'Check the path.'): Promise<Cassette> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const [problem, fix] = describeReadError(error as NodeJS.ErrnoException, missingFix);
    throw new CassetteError(path, problem, fix);
  }
  return parseCassette(text, path);
}
