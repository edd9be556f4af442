import { CASSETTE_FORMAT, type Cassette, type Entry } from '../core/cassette.js';
import { InternalError } from '../core/errors.js';
import { createRecordingMeta } from './create-recording-meta.js';
import type { Redactor } from './create-redactor.js';

/** What a finished (or checkpointed) recording is made of. */
export interface RecordedParts {
  /** The upstream origin, for `meta.source`. */
  source: string;
  entries: Readonly<Record<string, Entry>>;
  redactor: Redactor;
  /** The keys to list in `meta.redacted` (default: what the redactor replaced). */
  redacted?: readonly string[];
  /** What the refusal names when a secret is still in the entries, e.g. `"out.json"`. */
  subject: string;
  /** Extra meta fields (e.g. `incomplete`). */
  extra?: Record<string, unknown>;
}

/**
 * The cassette a recording writes: every secret seen scrubbed wherever it occurs, keys sorted,
 * meta read from the entries. Throws `REDACTION_FAILED` when a secret would still be written:
 * that is our bug, never the user's.
 */
export function toRecordedCassette(parts: RecordedParts): Cassette {
  const scrubbed = parts.redactor.scrub(parts.entries);
  const leaks = parts.redactor.findLeaks(scrubbed);
  if (leaks.length > 0) {
    throw new InternalError(
      `Refusing to write ${parts.subject}: it would still hold secrets (${leaks.join(', ')}). Report this as a bug; nothing was written.`,
      { code: 'REDACTION_FAILED' },
    );
  }
  const sorted: Record<string, Entry> = {};
  for (const key of Object.keys(scrubbed).sort()) sorted[key] = scrubbed[key]!;
  const meta = createRecordingMeta({
    source: parts.source,
    entries: sorted,
    redacted: parts.redacted ?? parts.redactor.redacted,
    extra: parts.extra,
  });
  return { format: CASSETTE_FORMAT, meta, entries: sorted };
}
