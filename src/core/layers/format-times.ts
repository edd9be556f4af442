const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
// RFC 3339 has four-digit years: past 9999 toISOString() writes `+010000-…`, which no client parses.
const LAST_PRINTABLE = Date.UTC(9999, 11, 31, 23, 59, 59);

/** The instant as a Date, clamped to 1970…9999 so every form below stays well-formed whatever the clock says. */
function toPrintable(epochMs: number): Date {
  return new Date(Number.isFinite(epochMs) ? Math.min(Math.max(epochMs, 0), LAST_PRINTABLE) : 0);
}

/** `2026-11-26T04:00:00Z`: the second-precision ISO form IMDS uses (botocore parses it strictly). */
export function formatIsoSeconds(epochMs: number): string {
  return toPrintable(epochMs)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z');
}

/** `21 Jan 2019 09:00:43 GMT`: the date form of maintenance events (docs/imds-behaviour.md §5), day not zero-padded. */
export function formatEventDate(epochMs: number): string {
  const date = toPrintable(epochMs);
  const time = date.toISOString().slice(11, 19);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${time} GMT`;
}
