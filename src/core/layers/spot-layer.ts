import type { Layer } from '../layer.js';
import type { SpotConfig } from './layer-settings.js';

/**
 * A spot interruption: from the trigger instant on, `spot/instance-action` and
 * `spot/termination-time` show the action and its time (the profile renders them).
 */
export function createSpotLayer(spot: SpotConfig): Layer {
  return {
    name: 'spot',
    notice: { kind: 'spot', at: spot.at, action: spot.action, ...(spot.time === undefined ? {} : { time: spot.time }) },
  };
}
