import { parseLayerSettings, type LayerSettings } from '../core/layers/layer-settings.js';
import type { AemmCommand } from './aemm-flags.js';
import { getAemmValue, type AemmTree } from './aemm-tree.js';
import { parseRfc3339, toWallClock } from './go-values.js';
import type { AemmSettings } from './load-aemm-config.js';

const SECOND = 1000;

/**
 * When a notice shows, on AEMM's terms: its trigger time if set, else the delay after start;
 * AEMM compares whole Unix seconds, so both round down to a second.
 */
function triggerAt(startedAt: number, delaySec: number, triggerTime: string): number {
  const at = triggerTime === '' ? undefined : parseRfc3339(triggerTime);
  if (at !== undefined) return Math.floor(at / SECOND) * SECOND;
  return Math.floor(startedAt / SECOND) * SECOND + delaySec * SECOND;
}

/**
 * The mock-layer settings for an AEMM command: the root mocks spot, rebalance, events and ASG;
 * `spot` only spot and rebalance; `events` only events; `asglifecycle` only ASG.
 * `--mock-ip-count` becomes mockIpCount (negative turns the limit off, as in AEMM).
 */
export function toAemmMocks(command: AemmCommand, settings: AemmSettings, tree: AemmTree, startedAt: number): LayerSettings {
  const mocks: Record<string, unknown> = {};
  const notice = triggerAt(startedAt, settings.mockDelaySec, settings.mockTriggerTime);
  if (command === 'root' || command === 'spot') {
    // A fixed --time goes to the layer too, so `aemm control status` reports the time that is served.
    mocks.spot = { action: settings.spot.action, at: notice, ...(settings.spot.time === '' ? {} : { time: settings.spot.time }) };
    mocks.rebalance = { at: triggerAt(startedAt, settings.rebalanceDelaySec, settings.rebalanceTriggerTime) };
  }
  if (command === 'root' || command === 'events') {
    const { code, state, notBefore, notAfter, notBeforeDeadline } = settings.events;
    const eventId = getAemmValue(tree, 'metadata.values.event-id');
    mocks.events = [
      {
        code,
        state,
        // AEMM prints these in the zone they were given in (its defaults: the local zone), labelled GMT.
        notBefore: toWallClock(notBefore),
        notAfter: toWallClock(notAfter),
        notBeforeDeadline: toWallClock(notBeforeDeadline),
        description: `The instance is scheduled for ${code}`,
        ...(typeof eventId === 'string' && eventId !== '' ? { eventId } : {}),
        at: notice,
      },
    ];
  }
  if (command === 'root' || command === 'asglifecycle') {
    mocks.asg = { state: 'Terminated', at: triggerAt(startedAt, settings.asgTerminationDelaySec, settings.asgTerminationTriggerTime) };
  }
  if (settings.mockIpCount >= 0) mocks.mockIpCount = settings.mockIpCount;
  return parseLayerSettings(mocks);
}
