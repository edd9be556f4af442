import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import type { Cassette } from '../core/cassette.js';
import { AemmError, UsageError } from '../core/errors.js';
import { validateCassette } from '../core/validate-cassette.js';

/** How a cassette file is written. */
export interface WriteCassetteOptions {
  /** File mode, e.g. 0o600 for a file with live credentials (default: the replaced file's, else 0o644). */
  mode?: number;
  /** Replace an existing file its owner made read-only (`--force`). */
  force?: boolean;
}

// O_EXCL refuses a name that exists, link or not; O_NOFOLLOW refuses a link even where O_EXCL is ignored.
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
const TEMP_ATTEMPTS = 5;

/**
 * A lowdb adapter that writes the way a shared folder needs: into a temp file beside the target
 * whose name nobody can guess, created exclusively with mode 0600 (never through a planted link,
 * never readable by others while it fills), synced, given its final mode, then renamed over the
 * target. Writes through one adapter are queued, so two never race.
 */
class CassetteFile implements Adapter<Cassette> {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  async read(): Promise<Cassette | null> {
    return JSON.parse(await readFile(this.path, 'utf8')) as Cassette;
  }

  /** Writes `data` with `mode`, or the replaced file's mode (0o644 for a new file). */
  write(data: Cassette, mode?: number): Promise<void> {
    const text = JSON.stringify(data, null, 2);
    const task = this.queue.then(() => this.writeNow(text, mode));
    this.queue = task.catch(() => undefined);
    return task;
  }

  private async writeNow(text: string, wanted: number | undefined): Promise<void> {
    const existing = await lstat(this.path).catch(() => undefined);
    const mode = wanted ?? (existing?.isFile() ? existing.mode & 0o777 : 0o644);
    for (let attempt = 1; ; attempt++) {
      const temp = join(dirname(this.path), `.${basename(this.path)}.${randomBytes(12).toString('hex')}.tmp`);
      let handle;
      try {
        handle = await open(temp, CREATE_FLAGS, 0o600);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST' && attempt < TEMP_ATTEMPTS) continue;
        throw error;
      }
      try {
        await handle.writeFile(text, 'utf8');
        await handle.chmod(mode);
        await handle.sync();
        await handle.close();
        handle = undefined;
        await rename(temp, this.path);
        return;
      } catch (error) {
        await handle?.close().catch(() => undefined);
        // A write that failed half-way (disk full, file too large) leaves nothing behind.
        await rm(temp, { force: true }).catch(() => undefined);
        throw error;
      }
    }
  }
}

// One adapter per file, so that writes to the same path queue behind each other.
const adapters = new Map<string, CassetteFile>();

function describeWriteError(path: string, error: NodeJS.ErrnoException): AemmError {
  const problem =
    error.code === 'ENOENT'
      ? 'its directory does not exist'
      : error.code === 'EACCES' || error.code === 'EPERM'
        ? 'permission denied'
        : error.code === 'ENOSPC'
          ? 'the disk is full'
          : `the file cannot be written (${error.code ?? error.message})`;
  return new AemmError(
    'CASSETTE_WRITE',
    `Failed to write cassette "${path}": ${problem}. Choose a writable path; the previous file, if any, is unchanged.`,
  );
}

/**
 * Throws a `UsageError` when `path` exists and its owner made it read-only (mode without u+w),
 * unless `force`: replacing it silently would undo that decision.
 */
export async function checkWritableCassette(path: string, force = false): Promise<void> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isFile() && (existing.mode & 0o200) === 0 && !force) {
    throw new UsageError(
      `Output "${path}" is read-only (mode ${(existing.mode & 0o777).toString(8).padStart(4, '0')}). Pass --force to replace it, or choose another path.`,
    );
  }
}

/**
 * Writes a cassette atomically through lowdb with a hardened adapter (see `CassetteFile`), so a
 * crash leaves either the old complete file or the new one and a local user cannot redirect the
 * write. Validates first: a broken cassette is never written. A read-only existing file is
 * refused unless `force`.
 */
export async function writeCassette(path: string, cassette: Cassette, options: WriteCassetteOptions = {}): Promise<void> {
  validateCassette(cassette, path);
  await checkWritableCassette(path, options.force);
  const absolute = resolve(path);
  let file = adapters.get(absolute);
  if (!file) adapters.set(absolute, (file = new CassetteFile(absolute)));
  const adapter = file;
  // Built directly: lowdb's presets swap in a memory adapter when NODE_ENV=test.
  const db = new Low<Cassette>({ read: () => adapter.read(), write: (data) => adapter.write(data, options.mode) }, cassette);
  db.data = cassette;
  try {
    await db.write();
  } catch (error) {
    throw describeWriteError(path, error as NodeJS.ErrnoException);
  }
}
