import type { MockConfig } from '../core/layers/mock-config.js';
import { spotActionTime } from '../core/layers/spot-layer.js';
import { sha256 } from '../core/sha256.js';
import type { InstanceOccurrence, InstanceState } from './build-eventbridge-event.js';

/** The Auto Scaling group and lifecycle hook that a scale-in is announced for. */
export interface LifecycleHook {
  groupName: string;
  hookName: string;
  notificationMetadata?: string;
}

const DAY = 86_400_000;
/** The events layer's first id, as AEMM's default event id. */
const FIRST_EVENT_ID = 'instance-event-1234567890abcdef0';

// The events layer names its events the same way, so IMDS and the Health event agree on the id.
function imdsEventId(event: NonNullable<MockConfig['events']>[number], index: number): string {
  if (event.eventId) return event.eventId;
  if (index === 0) return FIRST_EVENT_ID;
  const digest = sha256(new TextEncoder().encode(`${index}:${event.code}:${event.at}`));
  return `instance-event-${[...digest.subarray(0, 9)].map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, 17)}`;
}

const STOPS: Record<string, InstanceState[]> = {
  terminate: ['shutting-down', 'terminated'],
  stop: ['stopping', 'stopped'],
  hibernate: ['stopping', 'stopped'],
};

/**
 * Everything the mock layers have made happen to the instance by `now`, in time order: each
 * notice from the moment IMDS shows it, and a spot interruption's state changes at its action time.
 */
export function listOccurrences(config: MockConfig, now: number, hook: LifecycleHook): InstanceOccurrence[] {
  const list: InstanceOccurrence[] = [];
  if (config.rebalance && config.rebalance.at <= now) list.push({ kind: 'rebalance', at: config.rebalance.at });
  if (config.spot && config.spot.at <= now) {
    list.push({ kind: 'spot-interruption', at: config.spot.at, action: config.spot.action });
    const actionAt = spotActionTime(config.spot);
    if (actionAt <= now) for (const state of STOPS[config.spot.action] ?? []) list.push({ kind: 'state-change', at: actionAt, state });
  }
  (config.events ?? []).forEach((event, index) => {
    if (event.at > now) return;
    const notBefore = event.notBefore ?? event.at;
    list.push({
      kind: 'scheduled-change',
      at: event.at,
      code: event.code,
      state: event.state,
      eventId: imdsEventId(event, index),
      description: event.description ?? `The instance is scheduled for ${event.code}`,
      notBefore,
      notAfter: event.notAfter ?? notBefore + 7 * DAY,
    });
  });
  // Only a move out of service has a terminate lifecycle hook; InService, Standby and Detached do not.
  if (config.asg && config.asg.at <= now && (config.asg.state === 'Terminated' || config.asg.state.startsWith('Warmed:'))) {
    list.push({ kind: 'lifecycle-action', at: config.asg.at, targetState: config.asg.state, ...hook });
  }
  // A stable sort keeps the order above for equal instants (shutting-down before terminated).
  return list.sort((a, b) => a.at - b.at);
}
