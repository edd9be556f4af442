import type { Layer } from '../layer.js';
import type { RebalanceMock } from './mock-config.js';

/** A rebalance recommendation: `events/recommendations/rebalance` from the trigger on, 404 before (docs/imds-behaviour.md §5). */
export function createRebalanceLayer(rebalance: RebalanceMock): Layer {
  return { name: 'rebalance', notice: { kind: 'rebalance', at: rebalance.at } };
}
