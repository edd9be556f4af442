import { UsageError } from '../errors.js';

/** The fastest replay clock taken: a day of replay time per wall second and a half. */
export const MAX_SPEED = 100_000;

/** Checks a speed (`what` names the setting in the error): a number above 0 and at most MAX_SPEED. */
export function checkSpeed(speed: unknown, what = 'speed'): number {
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed <= 0 || speed > MAX_SPEED) {
    throw new UsageError(
      `${what} ${JSON.stringify(speed) ?? String(speed)} is not a speed. Use a number above 0 and at most ${MAX_SPEED}, e.g. 60 (one replay minute per second).`,
    );
  }
  return speed;
}

/**
 * A replay clock that runs `speed` times faster than `wall` from the moment it is made: tokens,
 * credentials, notices and events all read this one clock, so they stay consistent.
 */
export function createSpeedClock(wall: () => number, speed: number): () => number {
  checkSpeed(speed);
  if (speed === 1) return wall;
  const start = wall();
  // Whole milliseconds, as every other clock reading in the core.
  return () => start + Math.floor((wall() - start) * speed);
}
