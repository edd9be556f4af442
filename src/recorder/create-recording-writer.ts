import type { Cassette } from '../core/cassette.js';
import { writeCassette } from '../cassette/write-cassette.js';

/** How a recording reaches its file. */
export interface RecordingWriterOptions {
  output: string;
  /** The cassette as it should be on disk now; may throw (a redaction failure), which fails that write. */
  snapshot(): Cassette;
  /** File mode, e.g. 0o600 for a file that holds live credentials. */
  fileMode?: number;
  /** Replace an output file that is read-only. */
  force?: boolean;
  /** Quiet time before a write, so a burst of changes costs one write. */
  debounceMs: number;
  /** Called when a debounced write fails; the next change tries again. */
  onWriteError?: (error: Error) => void;
}

/** Debounced, serialised, atomic writes of a recording in progress. */
export interface RecordingWriter {
  /** Notes changed keys and schedules a write. */
  markChanged(keys: Iterable<string>): void;
  /** Writes pending changes now; a failure goes to `onWriteError` when `reportErrors`, and stays in `unwritten`. */
  flush(reportErrors?: boolean): Promise<void>;
  /** Completed writes. */
  readonly writes: number;
  /** Changed keys not on disk yet. */
  readonly unwritten: number;
  /** Why the last write failed, while changes are unwritten. */
  readonly writeError: string | undefined;
}

/**
 * A writer for a cassette that changes while it records: changes are batched for `debounceMs`,
 * writes never overlap, and keys of a failed write stay pending for the next one, so no answer is
 * lost to a transient failure (a full disk that empties again).
 */
export function createRecordingWriter(options: RecordingWriterOptions): RecordingWriter {
  const pending = new Set<string>();
  let writes = 0;
  let lastError: Error | undefined;
  let timer: NodeJS.Timeout | undefined;
  let writing = Promise.resolve();

  function writeNow(reportErrors: boolean): Promise<void> {
    writing = writing.then(async () => {
      if (pending.size === 0) return;
      const batch = [...pending];
      pending.clear();
      try {
        await writeCassette(options.output, options.snapshot(), {
          ...(options.fileMode === undefined ? {} : { mode: options.fileMode }),
          force: options.force,
        });
        writes++;
        lastError = undefined;
      } catch (error) {
        for (const key of batch) pending.add(key);
        lastError = error as Error;
        if (reportErrors) options.onWriteError?.(error as Error);
      }
    });
    return writing;
  }

  return {
    markChanged(keys) {
      for (const key of keys) pending.add(key);
      timer ??= setTimeout(() => {
        timer = undefined;
        void writeNow(true);
      }, options.debounceMs);
    },
    flush(reportErrors = true) {
      clearTimeout(timer);
      timer = undefined;
      return writeNow(reportErrors);
    },
    get writes() {
      return writes;
    },
    get unwritten() {
      return pending.size;
    },
    get writeError() {
      return lastError && pending.size > 0 ? lastError.message : undefined;
    },
  };
}
