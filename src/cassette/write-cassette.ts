import { chmod, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Cassette } from '../core/cassette.js';
import { AemmError } from '../core/errors.js';
import { validateCassette } from '../core/validate-cassette.js';

// One adapter per file: steno queues writes within one writer, but two writers of the same path
// race on the same temp file.
const adapters = new Map<string, JSONFile<Cassette>>();

function describeWriteError(path: string, error: NodeJS.ErrnoException): AemmError {
  const problem = error.code === 'ENOENT' ? 'its directory does not exist'
    : error.code === 'EACCES' || error.code === 'EPERM' ? 'permission denied'
    : error.code === 'ENOSPC' ? 'the disk is full'
    : `the file cannot be written (${error.code ?? error.message})`;
  return new AemmError('CASSETTE_WRITE', `Failed to write cassette "${path}": ${problem}. Choose a writable path; the previous file, if any, is unchanged.`);
}

/**
 * Writes a cassette atomically (lowdb → steno: temp file then rename), so a crash leaves either
 * the old complete file or the new one. Validates first: a broken cassette is never written.
 */
export async function writeCassette(path: string, cassette: Cassette, options: { mode?: number } = {}): Promise<void> {
  // `mode` (e.g. 0o600 for files with live credentials) applies from the first byte written.
  validateCassette(cassette, path);
  const absolute = resolve(path);
  let adapter = adapters.get(absolute);
  if (!adapter) adapters.set(absolute, (adapter = new JSONFile<Cassette>(absolute)));
  // Built directly: lowdb's presets swap in a memory adapter when NODE_ENV=test.
  const db = new Low<Cassette>(adapter, cassette);
  db.data = cassette;
  const temp = join(dirname(absolute), `.${basename(absolute)}.tmp`);
  try {
    if (options.mode !== undefined) {
      // steno writes into this temp file and renames it into place; made with the mode first, the
      // file never exists on disk with a wider one (writeFile keeps an existing file's mode).
      await writeFile(temp, '', { mode: options.mode });
      await chmod(temp, options.mode);
    }
    await db.write();
    if (options.mode !== undefined) await chmod(absolute, options.mode);
  } catch (error) {
    // steno leaves its temp file behind when a write fails half-way (disk full, file too large).
    await rm(temp, { force: true }).catch(() => undefined);
    throw describeWriteError(path, error as NodeJS.ErrnoException);
  }
}
