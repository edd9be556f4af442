import type { EventCode, SpotAction } from '../core/vocabulary.js';
import { deriveEventId } from './derive-event-id.js';
import type { InstanceIdentity } from './instance-identity.js';

/** The EventBridge envelope every AWS service event has (docs/eventbridge-events.md). */
export interface EventBridgeEvent<Detail = Record<string, unknown>> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  /** When the event happened, `yyyy-mm-ddThh:mm:ssZ`, on the replay clock. */
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
}

/** Instance states that the state-change notification reports for an instance going away. */
export type InstanceState = 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

/** Something that happened to the instance, in replay-clock epoch ms, ready to become an event. */
export type InstanceOccurrence =
  | { kind: 'spot-interruption'; at: number; action: SpotAction }
  | { kind: 'rebalance'; at: number }
  | {
      kind: 'scheduled-change';
      at: number;
      code: EventCode;
      /** The IMDS event's state: active events are upcoming or open, the others closed. */
      state: 'active' | 'completed' | 'canceled';
      /** The IMDS `EventId` (`instance-event-…`), which names the Health event too. */
      eventId: string;
      description: string;
      notBefore: number;
      notAfter?: number;
    }
  | { kind: 'state-change'; at: number; state: InstanceState }
  | {
      kind: 'lifecycle-action';
      at: number;
      groupName: string;
      hookName: string;
      /** The ASG target state that IMDS shows; `Warmed:*` states go to the warm pool. */
      targetState: string;
      notificationMetadata?: string;
    };

/** EventBridge `detail-type` of each occurrence kind. */
export const DETAIL_TYPES: Record<InstanceOccurrence['kind'], string> = {
  'spot-interruption': 'EC2 Spot Instance Interruption Warning',
  rebalance: 'EC2 Instance Rebalance Recommendation',
  'scheduled-change': 'AWS Health Event',
  'state-change': 'EC2 Instance State-change Notification',
  'lifecycle-action': 'EC2 Instance-terminate Lifecycle Action',
};

/**
 * AWS Health event type codes for the IMDS maintenance event codes. AWS documents both lists but
 * no table between them; this pairing is ours (docs/eventbridge-events.md says why).
 */
export const HEALTH_EVENT_TYPE_CODES: Record<EventCode, string> = {
  'instance-reboot': 'AWS_EC2_INSTANCE_REBOOT_MAINTENANCE_SCHEDULED',
  'system-reboot': 'AWS_EC2_SYSTEM_REBOOT_MAINTENANCE_SCHEDULED',
  'system-maintenance': 'AWS_EC2_INSTANCE_NETWORK_MAINTENANCE_SCHEDULED',
  'instance-retirement': 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
  'instance-stop': 'AWS_EC2_INSTANCE_STOP_SCHEDULED',
};

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `2026-12-01T10:00:00Z`: the envelope's `time` has no fraction. */
function formatEventTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `Tue, 01 Dec 2026 10:00:00 GMT`: AWS Health's date form in event details. */
function formatHealthTime(ms: number): string {
  const date = new Date(ms);
  const day = String(date.getUTCDate()).padStart(2, '0');
  return `${DAYS[date.getUTCDay()]}, ${day} ${MONTHS[date.getUTCMonth()]} ${date.getUTCFullYear()} ${date.toISOString().slice(11, 19)} GMT`;
}

function instanceArn(identity: InstanceIdentity): string {
  return `arn:${identity.partition}:ec2:${identity.region}:${identity.accountId}:instance/${identity.instanceId}`;
}

function healthStatus(occurrence: Extract<InstanceOccurrence, { kind: 'scheduled-change' }>): string {
  if (occurrence.state !== 'active') return 'closed';
  return occurrence.at < occurrence.notBefore ? 'upcoming' : 'open';
}

function buildDetail(
  occurrence: InstanceOccurrence,
  identity: InstanceIdentity,
): { resources: string[]; source: string; detail: Record<string, unknown> } {
  switch (occurrence.kind) {
    case 'spot-interruption':
      // AWS documents this one ARN with the Availability Zone and no account, unlike the others.
      return {
        source: 'aws.ec2',
        resources: [`arn:${identity.partition}:ec2:${identity.availabilityZone}:instance/${identity.instanceId}`],
        detail: { 'instance-id': identity.instanceId, 'instance-action': occurrence.action },
      };
    case 'rebalance':
      return { source: 'aws.ec2', resources: [instanceArn(identity)], detail: { 'instance-id': identity.instanceId } };
    case 'state-change':
      return {
        source: 'aws.ec2',
        resources: [instanceArn(identity)],
        detail: { 'instance-id': identity.instanceId, state: occurrence.state },
      };
    case 'scheduled-change': {
      const typeCode = HEALTH_EVENT_TYPE_CODES[occurrence.code];
      const eventArn = `arn:${identity.partition}:health:${identity.region}::event/EC2/${typeCode}/${typeCode}_${occurrence.eventId.replace(/^instance-event-/, '').toUpperCase()}`;
      return {
        source: 'aws.health',
        resources: [identity.instanceId],
        detail: {
          eventArn,
          service: 'EC2',
          eventScopeCode: 'ACCOUNT_SPECIFIC',
          communicationId: deriveEventId('communication', eventArn, occurrence.state).replace(/-/g, ''),
          lastUpdatedTime: formatHealthTime(occurrence.at),
          statusCode: healthStatus(occurrence),
          eventRegion: identity.region,
          eventTypeCode: typeCode,
          eventTypeCategory: 'scheduledChange',
          startTime: formatHealthTime(occurrence.notBefore),
          ...(occurrence.notAfter === undefined ? {} : { endTime: formatHealthTime(occurrence.notAfter) }),
          eventDescription: [{ language: 'en_US', latestDescription: occurrence.description }],
          affectedEntities: [{ entityValue: identity.instanceId }],
          affectedAccount: identity.accountId,
        },
      };
    }
    case 'lifecycle-action': {
      const warm = occurrence.targetState.startsWith('Warmed:') && occurrence.targetState !== 'Warmed:Terminated';
      const groupId = deriveEventId('auto-scaling-group', identity.accountId, identity.region, occurrence.groupName);
      return {
        source: 'aws.autoscaling',
        resources: [
          `arn:${identity.partition}:autoscaling:${identity.region}:${identity.accountId}:autoScalingGroup:${groupId}:autoScalingGroupName/${occurrence.groupName}`,
        ],
        detail: {
          LifecycleActionToken: deriveEventId(
            'lifecycle-action-token',
            identity.instanceId,
            occurrence.groupName,
            occurrence.hookName,
            occurrence.at,
          ),
          AutoScalingGroupName: occurrence.groupName,
          LifecycleHookName: occurrence.hookName,
          EC2InstanceId: identity.instanceId,
          LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
          ...(occurrence.notificationMetadata === undefined ? {} : { NotificationMetadata: occurrence.notificationMetadata }),
          Origin: occurrence.targetState === 'Warmed:Terminated' ? 'WarmPool' : 'AutoScalingGroup',
          Destination: warm ? 'WarmPool' : 'EC2',
        },
      };
    }
  }
}

/** The event AWS would deliver for an occurrence, with the instance's identity; the id depends only on the two. */
export function buildEventBridgeEvent(occurrence: InstanceOccurrence, identity: InstanceIdentity): EventBridgeEvent {
  const { source, resources, detail } = buildDetail(occurrence, identity);
  const detailType = DETAIL_TYPES[occurrence.kind];
  return {
    version: '0',
    id: deriveEventId(detailType, identity.accountId, identity.region, identity.instanceId, occurrence.at, JSON.stringify(detail)),
    'detail-type': detailType,
    source,
    account: identity.accountId,
    time: formatEventTime(occurrence.at),
    region: identity.region,
    resources,
    detail,
  };
}
