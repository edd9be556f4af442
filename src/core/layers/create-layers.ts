import type { Layer } from '../layer.js';
import { createAsgLayer } from './asg-layer.js';
import { createEventsLayer } from './events-layer.js';
import { createFaultLayer } from './fault-layer.js';
import type { LayerConfig } from './layer-settings.js';
import { createLayerState, type LayerState } from './layer-state.js';
import { createRebalanceLayer } from './rebalance-layer.js';
import { createSpotLayer } from './spot-layer.js';
import { createTagsLayer } from './tags-layer.js';
import { createThrottleLayer } from './throttle-layer.js';

/**
 * The layers for a mock configuration, in a fixed order. Pass the previous `state` when rebuilding
 * at run time, so counters carry over. (Which clients see the notices is decided per request, by
 * the engine's mock-ip-count gate.)
 */
export function createLayers(config: LayerConfig, state: LayerState = createLayerState()): Layer[] {
  const layers: Layer[] = [];
  if (config.spot) layers.push(createSpotLayer(config.spot));
  if (config.rebalance) layers.push(createRebalanceLayer(config.rebalance));
  if (config.events && config.events.length > 0) layers.push(createEventsLayer(config.events));
  if (config.asg) layers.push(createAsgLayer(config.asg));
  if (config.tags) layers.push(createTagsLayer(config.tags));
  if (config.throttle) layers.push(createThrottleLayer(config.throttle, state));
  if (config.faults && config.faults.length > 0) layers.push(createFaultLayer(config.faults, state));
  return layers;
}
