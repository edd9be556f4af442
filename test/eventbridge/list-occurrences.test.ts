import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Notice } from '../../src/core/notice.js';
import { createReplayEngine } from '../../src/core/replay-engine.js';
import { createEventTwin } from '../../src/eventbridge/create-event-twin.js';
import { listOccurrences } from '../../src/eventbridge/list-occurrences.js';
import type { EventBridgeEvent } from '../../src/eventbridge/build-eventbridge-event.js';
import { defaultCassette } from '../../src/msw/default-cassette.js';

const HOOK = { groupName: 'g', hookName: 'h' };
const T = Date.UTC(2026, 11, 1, 10);
const MIN = 60_000;
const states = (list: ReturnType<typeof listOccurrences>): [number, string][] =>
  list.flatMap((o) => (o.kind === 'state-change' ? [[o.at - T, o.state] as [number, string]] : []));
const maintenance = (code: 'instance-stop' | 'system-reboot'): Notice => ({
  kind: 'events',
  events: [
    {
      at: T,
      code,
      state: 'active',
      eventId: 'instance-event-1',
      notBefore: T + MIN,
      notAfter: T + 60 * MIN,
      notBeforeDeadline: T + 90 * MIN,
      description: 'x',
    },
  ],
});

describe('what the notices mean for the instance', () => {
  const spot: Notice = { kind: 'spot', at: T, action: 'terminate' };

  test('a spot interruption goes at its action time, or when a scenario takes the instance away first', () => {
    assert.deepEqual(states(listOccurrences([spot], T + MIN, HOOK)), []);
    assert.deepEqual(states(listOccurrences([spot], T + 2 * MIN, HOOK)), [
      [2 * MIN, 'shutting-down'],
      [2 * MIN, 'terminated'],
    ]);
    assert.deepEqual(
      states(listOccurrences([spot], T + 5 * MIN, HOOK, T + 3 * MIN)),
      [
        [2 * MIN, 'shutting-down'],
        [2 * MIN, 'terminated'],
      ],
      'gone later: still the action time',
    );
    assert.deepEqual(
      states(listOccurrences([spot], T + MIN, HOOK, T + 30_000)),
      [
        [30_000, 'shutting-down'],
        [30_000, 'terminated'],
      ],
      'gone early: then',
    );
  });

  test('a scheduled stop stops the instance only once it is taken away; a reboot, or going away with no notice, sends nothing', () => {
    assert.deepEqual(states(listOccurrences([maintenance('instance-stop')], T + 10 * MIN, HOOK)), []);
    assert.deepEqual(states(listOccurrences([maintenance('instance-stop')], T + 10 * MIN, HOOK, T + 5 * MIN)), [
      [5 * MIN, 'stopping'],
      [5 * MIN, 'stopped'],
    ]);
    assert.deepEqual(states(listOccurrences([maintenance('system-reboot')], T + 10 * MIN, HOOK, T + 5 * MIN)), []);
    assert.deepEqual(states(listOccurrences([], T + 10 * MIN, HOOK, T)), [], 'an instance still booting is not going away');
    assert.deepEqual(
      states(listOccurrences([maintenance('instance-stop'), spot], T + 10 * MIN, HOOK, T + 5 * MIN)),
      [
        [2 * MIN, 'shutting-down'],
        [2 * MIN, 'terminated'],
      ],
      'the spot action wins: one going, not two',
    );
  });

  test('the twin follows a session: the moment the instance goes, its state changes are emitted', () => {
    let wall = T;
    const engine = createReplayEngine({
      cassette: defaultCassette,
      clock: () => wall,
      secret: 's',
      mocks: { events: [{ code: 'instance-stop', notBefore: '2026-12-01T10:01:00Z' }] },
    });
    const events: EventBridgeEvent[] = [];
    const twin = createEventTwin({ engine, pollMs: 0, onEvent: (event) => events.push(event) });
    let instance = 'up';
    const listeners = new Set<() => void>();
    twin.follow({ instance: () => instance, onChange: (listener) => (listeners.add(listener), () => listeners.delete(listener)) });
    assert.deepEqual(
      events.map((event) => event['detail-type']),
      ['AWS Health Event'],
    );
    wall += 2 * MIN;
    instance = 'refused';
    for (const listener of listeners) listener();
    assert.deepEqual(
      events.slice(1).map((event) => [event.detail.state, event.time]),
      [
        ['stopping', '2026-12-01T10:02:00Z'],
        ['stopped', '2026-12-01T10:02:00Z'],
      ],
    );
    twin.close();
    assert.equal(listeners.size, 0, 'close() unsubscribes');
  });

  test('the instance going away is dated by the step that took it, not by when the twin looked', () => {
    let wall = T;
    const engine = createReplayEngine({
      cassette: defaultCassette,
      clock: () => wall,
      secret: 's',
      mocks: { events: [{ code: 'instance-stop', notBefore: '2026-12-01T10:01:00Z' }] },
    });
    const events: EventBridgeEvent[] = [];
    const twin = createEventTwin({ engine, pollMs: 0, onEvent: (event) => events.push(event) });
    let instance = 'up';
    twin.follow({ instance: () => instance, instanceSince: () => (instance === 'up' ? undefined : T + MIN) });
    wall += 2 * MIN + 345;
    instance = 'refused';
    twin.check();
    assert.deepEqual(
      events.slice(1).map((event) => [event.detail.state, event.time]),
      [
        ['stopping', '2026-12-01T10:01:00Z'],
        ['stopped', '2026-12-01T10:01:00Z'],
      ],
    );
    twin.close();
  });

  test('a maintenance event that changes state is announced again, dated when it changed (IMDS keeps its first moment)', () => {
    let wall = T;
    const id = 'instance-event-0a1b2c3d4e5f60718';
    const engine = createReplayEngine({
      cassette: defaultCassette,
      clock: () => wall,
      secret: 's',
      mocks: { events: [{ code: 'system-reboot', eventId: id, notBefore: '2026-12-01T11:00:00Z' }] },
    });
    const events: EventBridgeEvent[] = [];
    const twin = createEventTwin({ engine, pollMs: 0, onEvent: (event) => events.push(event) });
    wall += 5 * MIN;
    // As a scenario step changes one event: the events layer is cleared, then applied again with the new state.
    twin.control.clear('events');
    twin.control.apply({ events: [{ code: 'system-reboot', eventId: id, state: 'canceled', notBefore: '2026-12-01T11:00:00Z', at: T }] });
    wall += 5 * MIN;
    twin.check();
    assert.deepEqual(
      events.map((event) => [event.detail.statusCode, event.time]),
      [
        ['upcoming', '2026-12-01T10:00:00Z'],
        ['closed', '2026-12-01T10:05:00Z'],
      ],
    );
    twin.close();
  });
});
