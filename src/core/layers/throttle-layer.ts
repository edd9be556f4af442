import type { Layer } from '../layer.js';
import type { ThrottleConfig } from './layer-settings.js';
import type { LayerState } from './layer-state.js';

/**
 * A token bucket over all requests, as real IMDS throttles per instance (docs/imds-behaviour.md §3): over the rate,
 * requests are dropped (what clients see on EC2) or answered with the configured status.
 */
export function createThrottleLayer(throttle: ThrottleConfig, state: LayerState): Layer {
  let bucket = state.buckets.get(throttle);
  if (!bucket) state.buckets.set(throttle, (bucket = { tokens: throttle.burst, last: undefined }));
  const b = bucket;
  return {
    name: 'throttle',
    intercept(_request, { now }) {
      // A clock moved backwards (setTime) starts a fresh bucket rather than a negative refill.
      if (b.last === undefined || now < b.last) b.tokens = throttle.burst;
      else b.tokens = Math.min(throttle.burst, b.tokens + ((now - b.last) / 1000) * throttle.ratePerSecond);
      b.last = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return undefined;
      }
      return throttle.action === 'drop' ? { abort: 'drop' } : { status: throttle.action };
    },
  };
}
