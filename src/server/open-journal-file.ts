import { closeSync, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { toJournalLine, type JournalRecord } from '../core/journal/create-journal.js';

/** An NDJSON journal file open for appending. */
export interface JournalFile {
  readonly path: string;
  /** Queues one record; lines reach the file in batches, after the request was answered. */
  write(record: JournalRecord, seq: number): void;
  /** Writes what is queued and closes the file. */
  close(): Promise<void>;
}

/** An ISO 8601 formatter that reuses the last answer: requests come many to a millisecond. */
function createIsoFormatter(): (ms: number) => string {
  let lastMs = Number.NaN;
  let last = '';
  return (ms) => {
    if (ms !== lastMs) {
      lastMs = ms;
      last = new Date(ms).toISOString();
    }
    return last;
  };
}

function describeOpenError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return 'its folder does not exist';
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return error.code ?? error.message;
  }
}

/**
 * Opens `path` for appending (created when missing) right away, so a path that cannot be written
 * fails before the server starts; requests never wait for the disk.
 */
export function openJournalFile(path: string, what = '--journal'): JournalFile {
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o600);
  } catch (error) {
    throw new UsageError(
      `Cannot write the journal to "${path}" (${describeOpenError(error as NodeJS.ErrnoException)}). Give ${what} a file in a folder you can write.`,
    );
  }
  let stream: WriteStream;
  try {
    stream = createWriteStream('', { fd, flags: 'a' });
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  let queued: string[] = [];
  const formatAt = createIsoFormatter();
  const formatWallAt = createIsoFormatter();
  let scheduled = false;
  let failed = false;
  stream.on('error', (error) => {
    // A full disk costs the journal, not the replay: warn once and stop writing.
    if (!failed) process.emitWarning(`aemm: the journal "${path}" cannot be written any more: ${error.message}`);
    failed = true;
  });
  const flush = (): void => {
    scheduled = false;
    if (queued.length === 0 || failed) return;
    const text = `${queued.join('\n')}\n`;
    queued = [];
    stream.write(text);
  };
  let closing: Promise<void> | undefined;
  return {
    path,
    write(record, seq) {
      if (failed) return;
      queued.push(toJournalLine(record, seq, formatAt, formatWallAt));
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    close() {
      closing ??= new Promise((resolve) => {
        flush();
        stream.end(() => resolve());
      });
      return closing;
    },
  };
}
