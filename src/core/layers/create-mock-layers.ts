import type { Layer } from '../layer.js';
import { createAsgLayer } from './asg-layer.js';
import { createClientGate } from './client-gate.js';
import { createEventsLayer } from './events-layer.js';
import { createFaultLayer } from './fault-layer.js';
import type { MockConfig } from './mock-config.js';
import { createRebalanceLayer } from './rebalance-layer.js';
import { createSpotLayer } from './spot-layer.js';
import { createTagsLayer } from './tags-layer.js';
import { createThrottleLayer } from './throttle-layer.js';

/** The layers for a mock configuration, in a fixed order; notices share one mock-ip-count gate. */
export function createMockLayers(config: MockConfig): Layer[] {
  const gate = createClientGate(config.mockIpCount);
  const layers: Layer[] = [];
  if (config.spot) layers.push(createSpotLayer(config.spot, gate));
  if (config.rebalance) layers.push(createRebalanceLayer(config.rebalance, gate));
  if (config.events && config.events.length > 0) layers.push(createEventsLayer(config.events, gate));
  if (config.asg) layers.push(createAsgLayer(config.asg, gate));
  if (config.tags) layers.push(createTagsLayer(config.tags));
  if (config.throttle) layers.push(createThrottleLayer(config.throttle));
  if (config.faults && config.faults.length > 0) layers.push(createFaultLayer(config.faults));
  return layers;
}
