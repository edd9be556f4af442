import { spotActionTime, type Notice } from '../core/notice.js';
import type { InstanceOccurrence, InstanceState } from './build-eventbridge-event.js';

/** The Auto Scaling group and lifecycle hook that a scale-in is announced for. */
export interface LifecycleHook {
  groupName: string;
  hookName: string;
  notificationMetadata?: string;
}

const STOPS: Record<string, InstanceState[]> = {
  terminate: ['shutting-down', 'terminated'],
  stop: ['stopping', 'stopped'],
  hibernate: ['stopping', 'stopped'],
};

/** Maintenance events whose action takes the instance down for good (a reboot brings it back by itself). */
const STOPPING_EVENTS = new Set(['instance-stop', 'instance-retirement']);

/**
 * What the notices IMDS shows at `now` (the engine's `notices()`) mean for the instance, in time
 * order: each notice from the moment it shows, and the state changes of the instance going away.
 * A spot interruption goes at its action time, or earlier if a scenario takes the instance away
 * first (`goneSince`). A maintenance event stops the instance only when a scenario takes it away:
 * when, within the event's window, is not known otherwise.
 */
export function listOccurrences(notices: readonly Notice[], now: number, hook: LifecycleHook, goneSince?: number): InstanceOccurrence[] {
  const list: InstanceOccurrence[] = [];
  const gone = goneSince !== undefined && goneSince <= now ? goneSince : undefined;
  // How the instance went, if it did: a spot interruption's own action wins over a maintenance event.
  let spotGoing: { at: number; states: InstanceState[] } | undefined;
  let maintenanceGoing: { at: number; states: InstanceState[] } | undefined;
  for (const notice of notices) {
    switch (notice.kind) {
      case 'rebalance':
        list.push({ kind: 'rebalance', at: notice.at });
        break;
      case 'spot': {
        list.push({ kind: 'spot-interruption', at: notice.at, action: notice.action });
        // The first of the two is when it went: the same instant on every later look, so announced once.
        const actionAt = spotActionTime(notice);
        const wentAt = Math.min(actionAt <= now ? actionAt : Infinity, gone ?? Infinity);
        if (wentAt !== Infinity) spotGoing = { at: wentAt, states: STOPS[notice.action] ?? [] };
        break;
      }
      case 'events':
        for (const event of notice.events) {
          if (event.at > now) continue;
          if (gone !== undefined && event.state === 'active' && STOPPING_EVENTS.has(event.code))
            maintenanceGoing = { at: gone, states: ['stopping', 'stopped'] };
          // An event without NotAfter (degraded hardware) has a Health event without endTime.
          const notAfter: number | null | undefined = event.notAfter;
          list.push({
            kind: 'scheduled-change',
            at: event.at,
            code: event.code,
            state: event.state,
            eventId: event.eventId,
            description: event.description,
            notBefore: event.notBefore,
            ...(notAfter == null ? {} : { notAfter }),
          });
        }
        break;
      case 'asg':
        // Only a move out of service runs a terminate lifecycle hook; Standby and Detached do not.
        if (notice.state === 'Terminated' || notice.state.startsWith('Warmed:'))
          list.push({ kind: 'lifecycle-action', at: notice.at, targetState: notice.state, ...hook });
        break;
    }
  }
  const going = spotGoing ?? maintenanceGoing;
  for (const state of going?.states ?? []) list.push({ kind: 'state-change', at: going!.at, state });
  // A stable sort keeps the order above for equal instants (shutting-down before terminated).
  return list.sort((a, b) => a.at - b.at);
}
