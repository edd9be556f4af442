import { UsageError } from '../core/errors.js';
import { checkSpeed } from '../core/scenarios/create-speed-clock.js';

/** A TCP port from a flag value, or a UsageError that says what is allowed. */
export function parsePort(input: string): number {
  const port = /^\d{1,5}$/.test(input.trim()) ? Number(input) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new UsageError(`--port "${input}" is not a TCP port. Use a whole number from 0 to 65535 (0 picks a free one).`);
  }
  return port;
}

/** A `--speed` from a flag value: a number above 0 (fractions slow the clock down), or a UsageError. */
export function parseSpeed(input: string): number {
  const speed = /^\s*\d+(\.\d+)?\s*$/.test(input) ? Number(input) : Number.NaN;
  return checkSpeed(Number.isNaN(speed) ? input : speed, '--speed');
}
