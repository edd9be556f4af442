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

/**
 * What the notices IMDS shows at `now` (the engine's `notices()`) mean for the instance, in time
 * order: each notice from the moment it shows, and a spot interruption's state changes at its
 * action time. Maintenance events do not stop the instance here: when, within its window, is not
 * known (a scenario step that takes the instance away says so).
 */
export function listOccurrences(notices: readonly Notice[], now: number, hook: LifecycleHook): InstanceOccurrence[] {
  const list: InstanceOccurrence[] = [];
  for (const notice of notices) {
    switch (notice.kind) {
      case 'rebalance':
        list.push({ kind: 'rebalance', at: notice.at });
        break;
      case 'spot': {
        list.push({ kind: 'spot-interruption', at: notice.at, action: notice.action });
        const actionAt = spotActionTime(notice);
        if (actionAt <= now) for (const state of STOPS[notice.action] ?? []) list.push({ kind: 'state-change', at: actionAt, state });
        break;
      }
      case 'events':
        for (const event of notice.events) {
          if (event.at > now) continue;
          list.push({ kind: 'scheduled-change', at: event.at, code: event.code, state: event.state, eventId: event.eventId, description: event.description, notBefore: event.notBefore, notAfter: event.notAfter });
        }
        break;
      case 'asg':
        // Only a move out of service runs a terminate lifecycle hook; Standby and Detached do not.
        if (notice.state === 'Terminated' || notice.state.startsWith('Warmed:')) list.push({ kind: 'lifecycle-action', at: notice.at, targetState: notice.state, ...hook });
        break;
    }
  }
  // A stable sort keeps the order above for equal instants (shutting-down before terminated).
  return list.sort((a, b) => a.at - b.at);
}
