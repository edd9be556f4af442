import { UsageError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds from a duration: a number of milliseconds, or text like `90s`, `2m`, `1h30m`,
 * `500ms`; a bare number in text means seconds (as AEMM's `*-delay-sec` flags do).
 */
export function parseDuration(input: number | string, what = 'duration'): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return input;
    throw new UsageError(`${what} ${input} is not a duration. Use a number of milliseconds >= 0, or text like 30s, 2m, 1h30m.`);
  }
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) {
    throw new UsageError(`${what} "${input}" is not a duration. Use seconds (30) or text like 30s, 2m, 1h30m, 500ms.`);
  }
  return parts.reduce((total, part) => total + Number(part[1]) * UNITS[part[2]!]!, 0);
}
