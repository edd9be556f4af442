import type { Layer } from '../layer.js';
import { createAsgLayer } from './asg-layer.js';
import { createEventsLayer } from './events-layer.js';
import { createFaultLayer } from './fault-layer.js';
import type { MockConfig } from './mock-config.js';
import { createMockLayerState, type MockLayerState } from './mock-layer-state.js';
import { createRebalanceLayer } from './rebalance-layer.js';
import { createSpotLayer } from './spot-layer.js';
import { createTagsLayer } from './tags-layer.js';
import { createThrottleLayer } from './throttle-layer.js';

/**
 * The layers for a mock configuration, in a fixed order; notices share one mock-ip-count gate.
 * Pass the previous `state` when rebuilding at run time, so counters carry over.
 */
export function createMockLayers(config: MockConfig, state: MockLayerState = createMockLayerState()): Layer[] {
  const gate = state.gate(config.mockIpCount);
  const layers: Layer[] = [];
  if (config.spot) layers.push(createSpotLayer(config.spot, gate));
  if (config.rebalance) layers.push(createRebalanceLayer(config.rebalance, gate));
  if (config.events && config.events.length > 0) layers.push(createEventsLayer(config.events, gate));
  if (config.asg) layers.push(createAsgLayer(config.asg, gate));
  if (config.tags) layers.push(createTagsLayer(config.tags));
  if (config.throttle) layers.push(createThrottleLayer(config.throttle, state));
  if (config.faults && config.faults.length > 0) layers.push(createFaultLayer(config.faults, state));
  return layers;
}
