import { UsageError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** The longest duration taken: ten years, so that any clock moved by it stays a valid date. */
const MAX_MS = 10 * 366 * 86_400_000;

/**
 * Milliseconds from a duration: a number of milliseconds, or text like `90s`, `2m`, `1h30m`,
 * `500ms`; a bare number in text means seconds (as AEMM's `*-delay-sec` flags do).
 */
export function parseDuration(input: unknown, what = 'duration'): number {
  let ms: number;
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) {
      throw new UsageError(`${what} ${input} is not a duration. Use a number of milliseconds >= 0, or text like 30s, 2m, 1h30m.`);
    }
    ms = input;
  } else if (typeof input === 'string') {
    const text = input.trim();
    const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
    if (/^\d+(\.\d+)?$/.test(text)) ms = Number(text) * 1000;
    else if (parts.length > 0 && parts.map((part) => part[0]).join('') === text) {
      ms = parts.reduce((total, part) => total + Number(part[1]) * UNITS[part[2]!]!, 0);
    } else {
      throw new UsageError(`${what} "${input}" is not a duration. Use seconds (30) or text like 30s, 2m, 1h30m, 500ms.`);
    }
  } else {
    throw new UsageError(
      `${what} ${JSON.stringify(input) ?? String(input)} is not a duration. Use seconds (30) or text like 30s, 2m, 1h30m, 500ms.`,
    );
  }
  if (ms > MAX_MS) throw new UsageError(`${what} ${JSON.stringify(input)} is longer than ten years. Use a shorter duration.`);
  return ms;
}
