/**
 * Every stable error code aemm throws. User mistakes and unreachable services carry their own
 * code; `INTERNAL` and `REDACTION_FAILED` are bugs of ours (see `InternalError`).
 */
export type ErrorCode =
  | 'USAGE'
  | 'AEMM_ARGS'
  | 'AEMM_CONFIG'
  | 'CASSETTE_INVALID'
  | 'CASSETTE_WRITE'
  | 'CONTROL_BODY'
  | 'CONTROL_MISSING'
  | 'CONTROL_UNREACHABLE'
  | 'SCENARIO_INVALID'
  | 'JOURNAL_EXPECTATION'
  | 'LIVE_UNREACHABLE'
  | 'UPSTREAM_TOKEN'
  | 'UPSTREAM_TOKEN_TIMEOUT'
  | 'UPSTREAM_UNREACHABLE'
  | 'INTERNAL'
  | 'REDACTION_FAILED';

/** What an error may carry besides its message: the error it wraps. */
export interface AemmErrorOptions {
  cause?: unknown;
}

/** Base class of every error aemm throws on purpose: a stable `code` and a one-line message. */
export class AemmError extends Error {
  /** Stable machine-readable code, e.g. `CASSETTE_INVALID`. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: AemmErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AemmError';
    this.code = code;
  }
}

/** A cassette that cannot be read or does not match the format; the message names file, entry and fix. */
export class CassetteError extends AemmError {
  constructor(source: string, problem: string, fix = 'Fix or re-record it.', options?: AemmErrorOptions) {
    super('CASSETTE_INVALID', `Failed to load cassette "${source}": ${problem}. ${fix}`, options);
    this.name = 'CassetteError';
  }
}

/** Codes of user mistakes: `USAGE` in general, `AEMM_ARGS` for the drop-in's command-line syntax. */
export type UsageCode = Extract<ErrorCode, 'USAGE' | 'AEMM_ARGS'>;

/** A user-supplied value (flag, option, layer setting) that aemm cannot use; the message says which and how to fix it. */
export class UsageError extends AemmError {
  constructor(message: string, options?: AemmErrorOptions & { code?: UsageCode }) {
    super(options?.code ?? 'USAGE', message, options);
    this.name = 'UsageError';
  }
}

/**
 * A bug of ours, not the user's mistake (a redaction that would leave a secret behind, a state
 * that cannot happen): commands report it as a bug and exit 70, never 2.
 */
export class InternalError extends AemmError {
  constructor(message: string, options?: AemmErrorOptions & { code?: Extract<ErrorCode, 'INTERNAL' | 'REDACTION_FAILED'> }) {
    super(options?.code ?? 'INTERNAL', message, options);
    this.name = 'InternalError';
  }
}
