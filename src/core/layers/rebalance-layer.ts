import type { Layer } from '../layer.js';
import type { RebalanceConfig } from './layer-settings.js';

/** A rebalance recommendation: `events/recommendations/rebalance` from the trigger on, 404 before (docs/imds-behaviour.md §5). */
export function createRebalanceLayer(rebalance: RebalanceConfig): Layer {
  return { name: 'rebalance', notice: { kind: 'rebalance', at: rebalance.at } };
}
