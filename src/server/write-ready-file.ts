import { accessSync, constants, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';

/** Fails early, before the server starts, when the ready file's folder cannot be written. */
export function checkReadyFile(path: string): void {
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch {
    throw new UsageError(
      `Cannot write the ready file "${path}": its folder does not exist or is not writable. Give --ready-file a path in a folder you can write.`,
    );
  }
}

/** Writes `content` to `path` atomically (a temporary file beside it, then a rename), so a reader never sees half a file. */
export function writeReadyFile(path: string, content: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, content, { mode: 0o644 });
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/** Removes the ready file (nothing when it is already gone). */
export function removeReadyFile(path: string): void {
  rmSync(path, { force: true });
}
