import type { Layer } from '../layer.js';
import type { ThrottleMock } from './mock-config.js';

/**
 * A token bucket over all requests, as real IMDS throttles per instance (DOC-RET): over the rate,
 * requests are dropped (what clients see on EC2) or answered with the configured status.
 */
export function createThrottleLayer(throttle: ThrottleMock): Layer {
  let tokens = throttle.burst;
  let last: number | undefined;
  return {
    name: 'throttle',
    intercept(_request, { now }) {
      // A clock moved backwards (setTime) starts a fresh bucket rather than a negative refill.
      if (last === undefined || now < last) tokens = throttle.burst;
      else tokens = Math.min(throttle.burst, tokens + ((now - last) / 1000) * throttle.ratePerSecond);
      last = now;
      if (tokens >= 1) {
        tokens -= 1;
        return undefined;
      }
      return throttle.action === 'drop' ? { abort: 'drop' } : { status: throttle.action };
    },
  };
}
