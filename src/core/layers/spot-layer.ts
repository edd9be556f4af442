import { formatNoticeJson } from '../format-notice-json.js';
import type { Layer, Patch } from '../layer.js';
import type { ClientGate } from './client-gate.js';
import { formatIsoSeconds } from './format-times.js';
import type { SpotMock } from './mock-config.js';
import { createTextEntry } from './text-entry.js';

const META = '/latest/meta-data/';
const LEAD_MS = 120_000;

/** The instant in the notice's `time` field: two minutes after the notice, none for hibernate (DOC-SPOT). */
export function spotActionTime(spot: SpotMock): number {
  return spot.time ?? spot.at + (spot.action === 'hibernate' ? 0 : LEAD_MS);
}

/**
 * A spot interruption: `spot/instance-action` and `spot/termination-time` from the trigger
 * instant on, the whole `spot/` directory hidden before it; `instance-life-cycle` reads `spot`.
 */
export function createSpotLayer(spot: SpotMock, gate: ClientGate): Layer {
  const time = formatIsoSeconds(spotActionTime(spot));
  const lifeCycle = createTextEntry('spot');
  const active: Patch = new Map([
    [`${META}instance-life-cycle`, lifeCycle],
    [`${META}spot/instance-action`, createTextEntry(formatNoticeJson({ action: spot.action, time }))],
    [`${META}spot/termination-time`, createTextEntry(time)],
  ]);
  const inactive: Patch = new Map([
    [`${META}instance-life-cycle`, lifeCycle],
    [`${META}spot/`, null],
  ]);
  return {
    name: 'spot',
    patch: ({ now, clientAddress }) => (now >= spot.at && gate.allows(clientAddress) ? active : inactive),
  };
}
