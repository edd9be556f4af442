/** A JSON value as found in IMDS documents. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Size and SHA-256 (hex) of a body that is not UTF-8 text. */
export interface BytesSummary {
  size: number;
  sha256: string;
}

/**
 * One thing that differs inside an entry. `before` is side A, `after` side B; `null` means absent.
 * Values are the real ones, even when normalisation decided what counts as a difference.
 */
export type ChangeDetail =
  | { type: 'status'; before: number | null; after: number | null }
  | { type: 'header'; name: string; before: string | null; after: string | null }
  /** A line of a listing or multi-line leaf that only one side has. */
  | { type: 'line'; op: 'added' | 'removed'; line: string }
  /** A key of a JSON document; `key` is a path like `accountId`, `Credentials.Token` or `[0].Code`. */
  | { type: 'key'; op: 'added' | 'removed' | 'changed'; key: string; before?: JsonValue; after?: JsonValue }
  /** A whole text body: a single-line leaf, or a document on one side only. */
  | { type: 'value'; before: string | null; after: string | null }
  | { type: 'bytes'; before: BytesSummary | null; after: BytesSummary | null }
  /** Same lines or keys and values, different bytes: `line order`, `final newline`, `key order or spacing`. */
  | { type: 'layout'; note: string };

/** One item of a diff: an entry only in B (`added`), only in A (`removed`), or in both but different (`changed`). */
export interface Change {
  kind: 'added' | 'removed' | 'changed';
  /** The aligned path (interfaces by device, associations by position); the key itself without normalisation. */
  path: string;
  /** Top-level meta-data category (`network`, `iam`, …), `meta-data`, `dynamic`, `user-data` or `versions`. */
  category: string;
  /** The cassette key on side A, when the entry exists there. */
  pathA?: string;
  /** The cassette key on side B, when the entry exists there. */
  pathB?: string;
  details: ChangeDetail[];
}
