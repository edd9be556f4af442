const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-11-26T04:00:00Z`: the second-precision ISO form IMDS uses (botocore parses it strictly). */
export function formatIsoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `21 Jan 2019 09:00:43 GMT`: the date form of maintenance events (docs/imds-behaviour.md §5), day not zero-padded. */
export function formatEventDate(epochMs: number): string {
  const date = new Date(epochMs);
  const time = date.toISOString().slice(11, 19);
  return `${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${time} GMT`;
}
