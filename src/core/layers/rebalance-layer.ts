import { formatNoticeJson } from '../format-notice-json.js';
import type { Layer, Patch } from '../layer.js';
import type { ClientGate } from './client-gate.js';
import { formatIsoSeconds } from './format-times.js';
import type { RebalanceMock } from './mock-config.js';
import { createTextEntry } from './text-entry.js';

const DIR = '/latest/meta-data/events/recommendations/';

/** A rebalance recommendation: `events/recommendations/rebalance` from the trigger on, 404 before (DOC-REB). */
export function createRebalanceLayer(rebalance: RebalanceMock, gate: ClientGate): Layer {
  const active: Patch = new Map([[`${DIR}rebalance`, createTextEntry(formatNoticeJson({ noticeTime: formatIsoSeconds(rebalance.at) }))]]);
  const inactive: Patch = new Map([[DIR, null]]);
  return {
    name: 'rebalance',
    patch: ({ now, clientAddress }) => (now >= rebalance.at && gate.allows(clientAddress) ? active : inactive),
  };
}
