import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { Cassette } from '../core/cassette.js';
import { validateCassette } from '../core/validate-cassette.js';

/**
 * Writes a cassette atomically (lowdb → steno: temp file then rename), so a crash leaves either
 * the old complete file or the new one. Validates first: a broken cassette is never written.
 */
export async function writeCassette(path: string, cassette: Cassette): Promise<void> {
  validateCassette(cassette, path);
  // Built directly: lowdb's presets swap in a memory adapter when NODE_ENV=test.
  const db = new Low<Cassette>(new JSONFile<Cassette>(path), cassette);
  db.data = cassette;
  await db.write();
}
