/**
 * Longest request target served, in characters. Real IMDS paths are short (the longest, a tag
 * key of 128 characters percent-encoded under `/latest/meta-data/tags/instance/`, stays under
 * 450); a longer one is answered 414 at once instead of being read, matched and logged.
 */
export const MAX_PATH_LENGTH = 2048;
