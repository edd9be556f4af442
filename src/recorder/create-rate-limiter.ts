import { setTimeout as sleep } from 'node:timers/promises';
import { UsageError } from '../core/errors.js';

/** Hands out permission to send, one request at a time, never faster than the configured rate. */
export interface RateLimiter {
  /** Resolves when the next request may start; rejects when `signal` aborts first. */
  take(signal?: AbortSignal): Promise<void>;
}

/**
 * A token bucket that holds one token and refills `ratePerSecond` times a second: callers queue
 * in order and each start is at least 1/rate s after the previous *actual* start, so no
 * one-second window ever sees more than `ratePerSecond` starts, not even when a busy event loop
 * fires several timers at once (a deeper bucket would allow a burst on top of the rate).
 * Infinity turns the limit off.
 */
export function createRateLimiter(ratePerSecond: number, clock: () => number = () => performance.now()): RateLimiter {
  if (!(ratePerSecond > 0)) throw new UsageError(`Rate "${ratePerSecond}" is not a positive number of requests per second. Use e.g. 100.`);
  if (ratePerSecond === Infinity) return { take: async () => {} };
  const interval = 1000 / ratePerSecond;
  let last = -Infinity;
  let queue: Promise<void> = Promise.resolve();
  return {
    take(signal) {
      const turn = queue.then(async () => {
        for (;;) {
          signal?.throwIfAborted();
          const now = clock();
          const wait = last + interval - now;
          if (wait <= 0) {
            last = now;
            return;
          }
          // Timers may fire a little early or late; the loop re-checks against the clock.
          await sleep(Math.ceil(wait), undefined, { signal });
        }
      });
      queue = turn.catch(() => {});
      return turn;
    },
  };
}
