import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventBridgeEvent, InstanceOccurrence } from '../../src/eventbridge/build-eventbridge-event.js';
import { createEventWatcher } from '../../src/eventbridge/create-event-watcher.js';

const identity = { instanceId: 'i-0abc', accountId: '123456789012', region: 'eu-west-1', availabilityZone: 'eu-west-1b', partition: 'aws' };

test('the watcher announces each occurrence once while it shows, and again if it comes back', () => {
  let shown: InstanceOccurrence[] = [];
  const events: EventBridgeEvent[] = [];
  const watcher = createEventWatcher({
    identity,
    now: () => 0,
    occurrences: () => shown,
    onEvent: (event) => events.push(event),
    pollMs: 0,
  });
  assert.equal(watcher.check(), 0);
  shown = [{ kind: 'rebalance', at: 1000 }];
  assert.equal(watcher.check(), 1);
  assert.equal(watcher.check(), 0, 'still showing: not again');
  shown = [
    { kind: 'rebalance', at: 1000 },
    { kind: 'spot-interruption', at: 2000, action: 'stop' },
  ];
  assert.equal(watcher.check(), 1);
  shown = [
    { kind: 'rebalance', at: 1000 },
    { kind: 'spot-interruption', at: 2000, action: 'terminate' },
  ];
  assert.equal(watcher.check(), 1, 'a changed notice is a new event');
  shown = [];
  assert.equal(watcher.check(), 0);
  shown = [{ kind: 'rebalance', at: 1000 }];
  assert.equal(watcher.check(), 1, 'cleared and shown again: announced again');
  assert.deepEqual(
    events.map((event) => event.detail['instance-action'] ?? event['detail-type']),
    ['EC2 Instance Rebalance Recommendation', 'stop', 'terminate', 'EC2 Instance Rebalance Recommendation'],
  );
  assert.equal(watcher.emitted, 4);
  watcher.close();
});
