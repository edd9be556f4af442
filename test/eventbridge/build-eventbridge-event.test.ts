import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildEventBridgeEvent, DETAIL_TYPES, type InstanceOccurrence } from '../../src/eventbridge/build-eventbridge-event.js';
import { readInstanceIdentity } from '../../src/eventbridge/instance-identity.js';
import { defaultCassette } from '../../src/msw/default-cassette.js';

const identity = readInstanceIdentity(defaultCassette);
const at = Date.UTC(2026, 11, 1, 10, 0, 0);
const ENVELOPE = ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('EventBridge events, shaped as AWS documents them (docs/eventbridge-events.md)', () => {
  test("the identity comes from the cassette's identity document", () => {
    assert.deepEqual(identity, {
      instanceId: 'i-1234567890abcdef0',
      accountId: '515336597381',
      region: 'us-east-1',
      availabilityZone: 'us-east-1a',
      partition: 'aws',
    });
  });

  test('spot interruption: aws.ec2, instance-id and instance-action, the AZ-form ARN AWS documents', () => {
    const event = buildEventBridgeEvent({ kind: 'spot-interruption', at, action: 'hibernate' }, identity);
    assert.deepEqual(Object.keys(event), ENVELOPE);
    assert.match(event.id, UUID);
    assert.deepEqual(
      { ...event, id: '' },
      {
        version: '0',
        id: '',
        'detail-type': 'EC2 Spot Instance Interruption Warning',
        source: 'aws.ec2',
        account: '515336597381',
        time: '2026-12-01T10:00:00Z',
        region: 'us-east-1',
        resources: ['arn:aws:ec2:us-east-1a:instance/i-1234567890abcdef0'],
        detail: { 'instance-id': 'i-1234567890abcdef0', 'instance-action': 'hibernate' },
      },
    );
  });

  test('rebalance and state change: the instance ARN with region and account', () => {
    const rebalance = buildEventBridgeEvent({ kind: 'rebalance', at }, identity);
    assert.equal(rebalance['detail-type'], 'EC2 Instance Rebalance Recommendation');
    assert.deepEqual(rebalance.resources, ['arn:aws:ec2:us-east-1:515336597381:instance/i-1234567890abcdef0']);
    assert.deepEqual(rebalance.detail, { 'instance-id': 'i-1234567890abcdef0' });
    const stopped = buildEventBridgeEvent({ kind: 'state-change', at, state: 'shutting-down' }, identity);
    assert.equal(stopped['detail-type'], 'EC2 Instance State-change Notification');
    assert.equal(stopped.source, 'aws.ec2');
    assert.deepEqual(stopped.detail, { 'instance-id': 'i-1234567890abcdef0', state: 'shutting-down' });
  });

  test("scheduled maintenance: an AWS Health scheduledChange for EC2 whose times are the IMDS event's", () => {
    const occurrence: InstanceOccurrence = {
      kind: 'scheduled-change',
      at,
      code: 'instance-stop',
      state: 'active',
      eventId: 'instance-event-0123456789abcdef0',
      description: 'The instance is scheduled for instance-stop',
      notBefore: Date.UTC(2026, 11, 3),
      notAfter: Date.UTC(2026, 11, 3, 2),
    };
    const event = buildEventBridgeEvent(occurrence, identity);
    assert.equal(event['detail-type'], 'AWS Health Event');
    assert.equal(event.source, 'aws.health');
    assert.deepEqual(event.resources, ['i-1234567890abcdef0']);
    const detail = event.detail;
    assert.equal(detail.service, 'EC2');
    assert.equal(detail.eventTypeCategory, 'scheduledChange');
    assert.equal(detail.eventTypeCode, 'AWS_EC2_INSTANCE_STOP_SCHEDULED');
    assert.equal(
      detail.eventArn,
      'arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_STOP_SCHEDULED/AWS_EC2_INSTANCE_STOP_SCHEDULED_0123456789ABCDEF0',
    );
    assert.equal(detail.startTime, 'Thu, 03 Dec 2026 00:00:00 GMT');
    assert.equal(detail.endTime, 'Thu, 03 Dec 2026 02:00:00 GMT');
    assert.equal(detail.lastUpdatedTime, 'Tue, 01 Dec 2026 10:00:00 GMT');
    assert.equal(detail.statusCode, 'upcoming');
    assert.deepEqual(detail.affectedEntities, [{ entityValue: 'i-1234567890abcdef0' }]);
    assert.deepEqual(detail.eventDescription, [{ language: 'en_US', latestDescription: 'The instance is scheduled for instance-stop' }]);
    assert.equal(buildEventBridgeEvent({ ...occurrence, at: occurrence.notBefore }, identity).detail.statusCode, 'open');
    assert.equal(buildEventBridgeEvent({ ...occurrence, state: 'canceled' }, identity).detail.statusCode, 'closed');
    assert.equal(
      'endTime' in buildEventBridgeEvent({ ...occurrence, notAfter: undefined }, identity).detail,
      false,
      'no NotAfter, no endTime',
    );
  });

  test('ASG scale-in: aws.autoscaling with hook, group, token and transition; the group ARN as resource', () => {
    const event = buildEventBridgeEvent(
      { kind: 'lifecycle-action', at, groupName: 'web', hookName: 'drain', targetState: 'Terminated', notificationMetadata: 'x' },
      identity,
    );
    assert.equal(event['detail-type'], 'EC2 Instance-terminate Lifecycle Action');
    assert.equal(event.source, 'aws.autoscaling');
    assert.match(
      event.resources[0]!,
      /^arn:aws:autoscaling:us-east-1:515336597381:autoScalingGroup:[0-9a-f-]{36}:autoScalingGroupName\/web$/,
    );
    const { LifecycleActionToken, ...rest } = event.detail;
    assert.match(String(LifecycleActionToken), UUID);
    assert.deepEqual(rest, {
      AutoScalingGroupName: 'web',
      LifecycleHookName: 'drain',
      EC2InstanceId: 'i-1234567890abcdef0',
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      NotificationMetadata: 'x',
      Origin: 'AutoScalingGroup',
      Destination: 'EC2',
    });
    const warm = buildEventBridgeEvent(
      { kind: 'lifecycle-action', at, groupName: 'web', hookName: 'drain', targetState: 'Warmed:Stopped' },
      identity,
    );
    assert.equal(warm.detail.Destination, 'WarmPool');
    assert.equal('NotificationMetadata' in warm.detail, false);
  });

  test('ids depend only on the inputs: the same occurrence gives the same id, another gives another', () => {
    const kinds = Object.keys(DETAIL_TYPES);
    assert.equal(kinds.length, 5);
    const a = buildEventBridgeEvent({ kind: 'rebalance', at }, identity);
    assert.equal(buildEventBridgeEvent({ kind: 'rebalance', at }, identity).id, a.id);
    assert.notEqual(buildEventBridgeEvent({ kind: 'rebalance', at: at + 1000 }, identity).id, a.id);
    assert.notEqual(buildEventBridgeEvent({ kind: 'rebalance', at }, { ...identity, instanceId: 'i-0fffffffffffffff0' }).id, a.id);
  });
});
