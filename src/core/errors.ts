/** Base class of every error aemm throws on purpose: a stable `code` and a one-line message. */
export class AemmError extends Error {
  /** Stable machine-readable code, e.g. `CASSETTE_INVALID`. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'AemmError';
    this.code = code;
  }
}

/** A cassette that cannot be read or does not match the format; the message names file, entry and fix. */
export class CassetteError extends AemmError {
  constructor(source: string, problem: string, fix = 'Fix or re-record it.') {
    super('CASSETTE_INVALID', `Failed to load cassette "${source}": ${problem}. ${fix}`);
    this.name = 'CassetteError';
  }
}

/** A user-supplied value (flag, option, layer setting) that aemm cannot use; the message says which and how to fix it. */
export class UsageError extends AemmError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}
