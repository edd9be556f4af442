import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createJournal } from '../../../src/core/journal/create-journal.js';
import { createReplayEngine } from '../../../src/core/replay-engine.js';
import { BUILTIN_SCENARIO_NAMES } from '../../../src/core/scenarios/builtin-scenarios.js';
import { createReplaySession } from '../../../src/core/scenarios/create-replay-session.js';
import { toScenario } from '../../../src/core/scenarios/to-scenario.js';
import { createTinyCassette } from '../../helpers/tiny-cassette.js';

const START = Date.parse('2026-11-26T10:30:00Z');
const S = 1000;
const M = 60 * S;
const META = '/latest/meta-data/';
const decoder = new TextDecoder();
const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** A scenario on a wall clock the test moves; every request fires what is due at that moment. */
function play(name: string) {
  let wall = START;
  const engine = createReplayEngine({ cassette: createTinyCassette(), secret: 'test', clock: () => wall });
  const journal = createJournal();
  const session = createReplaySession({ engine, scenario: toScenario(name), journal, wallClock: () => wall });
  const send = (method: string, path: string, headers: Record<string, string> = {}, clientAddress?: string) => {
    const response = session.resolve({ method, path, headers, clientAddress }, method === 'PUT' ? new Uint8Array(8) : undefined);
    return { status: response.status, body: decoder.decode(response.body), abort: response.abort };
  };
  return {
    session,
    journal,
    at(ms: number) {
      wall = START + ms;
    },
    get: (path: string, headers?: Record<string, string>, clientAddress?: string) => send('GET', path, headers, clientAddress),
    token: (clientAddress?: string) => send('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' }, clientAddress),
    /** The lines of a listing (status 200 expected). */
    list(path: string): string[] {
      const { status, body } = send('GET', path);
      assert.equal(status, 200, `${path} answers ${status}`);
      return body.split('\n');
    },
  };
}

describe('built-in scenarios on a movable clock', () => {
  test('every built-in scenario loads', () => {
    assert.deepEqual(BUILTIN_SCENARIO_NAMES.sort(), [
      'asg-scale-in',
      'degraded-hardware-stop',
      'early-boot',
      'hop-limit-container',
      'maintenance-canceled',
      'scheduled-reboot',
      'spot-hibernate',
      'spot-interruption',
      'spot-stop',
      'token-rotation',
    ]);
    for (const name of BUILTIN_SCENARIO_NAMES) assert.equal(toScenario(name).name, name);
  });

  test('spot-interruption: rebalance at 1 min, the notice at 2 min with time = notice + 2 min, gone at that time', () => {
    const run = play('spot-interruption');
    run.at(0);
    assert.equal(run.get(`${META}spot/instance-action`).status, 404);
    assert.equal(run.get(`${META}events/recommendations/rebalance`).status, 404);
    assert.ok(!run.list(META).includes('spot/'));
    run.at(1 * M - 1);
    assert.equal(run.get(`${META}events/recommendations/rebalance`).status, 404);
    run.at(1 * M);
    assert.deepEqual(run.get(`${META}events/recommendations/rebalance`), {
      status: 200,
      body: `{"noticeTime": "${iso(START + 1 * M)}"}`,
      abort: undefined,
    });
    assert.deepEqual(run.list(`${META}events/recommendations/`), ['rebalance']);
    assert.ok(run.list(`${META}events/`).includes('recommendations/'));
    assert.equal(run.get(`${META}spot/instance-action`).status, 404);
    run.at(2 * M);
    const notice = `{"action": "terminate", "time": "${iso(START + 4 * M)}"}`;
    assert.deepEqual(run.get(`${META}spot/instance-action`), { status: 200, body: notice, abort: undefined });
    assert.equal(run.get(`${META}spot/termination-time`).body, iso(START + 4 * M));
    assert.deepEqual(run.list(`${META}spot/`), ['instance-action', 'termination-time']);
    assert.ok(run.list(META).includes('spot/'));
    assert.equal(run.get(`${META}instance-life-cycle`).body, 'spot');
    run.at(4 * M - 1);
    assert.equal(run.get(`${META}spot/instance-action`).body, notice);
    run.at(4 * M);
    assert.equal(run.get(`${META}spot/instance-action`).abort, 'drop');
    assert.equal(run.token().abort, 'drop');
    assert.equal(run.session.instance(), 'refused');
    const steps = run.session.control.status().scenario!.steps;
    assert.deepEqual(
      steps.map((step) => [step.name, step.firedAt]),
      [
        ['rebalance', new Date(START + 1 * M).toISOString()],
        ['interruption-notice', new Date(START + 2 * M).toISOString()],
        ['terminated', new Date(START + 4 * M).toISOString()],
      ],
    );
  });

  test('spot-interruption fires steps at their own times when the clock jumps past several', () => {
    const run = play('spot-interruption');
    run.at(3 * M);
    // The notice fired at 2 min, so its time field is 4 min, not "now + 2 min".
    assert.equal(run.get(`${META}spot/instance-action`).body, `{"action": "terminate", "time": "${iso(START + 4 * M)}"}`);
    assert.equal(run.get(`${META}events/recommendations/rebalance`).body, `{"noticeTime": "${iso(START + 1 * M)}"}`);
  });

  test('spot-stop and spot-hibernate announce their action; hibernate has no two-minute lead', () => {
    const stop = play('spot-stop');
    stop.at(1 * M);
    assert.equal(stop.get(`${META}spot/instance-action`).body, `{"action": "stop", "time": "${iso(START + 3 * M)}"}`);
    stop.at(3 * M - 1);
    assert.equal(stop.get(`${META}spot/instance-action`).status, 200);
    stop.at(3 * M);
    assert.equal(stop.get(`${META}spot/instance-action`).abort, 'drop');

    const hibernate = play('spot-hibernate');
    hibernate.at(1 * M - 1);
    assert.equal(hibernate.get(`${META}spot/instance-action`).status, 404);
    hibernate.at(1 * M);
    assert.equal(hibernate.get(`${META}spot/instance-action`).body, `{"action": "hibernate", "time": "${iso(START + 1 * M)}"}`);
    hibernate.at(1 * M + 5 * S);
    assert.equal(hibernate.get(`${META}ami-id`).abort, 'drop');
  });

  test('scheduled-reboot: scheduled, then the instance reboots at NotBefore, then the event is completed in history', () => {
    const run = play('scheduled-reboot');
    const scheduled = `${META}events/maintenance/scheduled`;
    const history = `${META}events/maintenance/history`;
    run.at(30 * S - 1);
    assert.equal(run.get(scheduled).status, 404);
    run.at(30 * S);
    const event = {
      NotBefore: '26 Nov 2026 10:35:30 GMT',
      Code: 'instance-reboot',
      Description: 'The instance is scheduled for instance-reboot',
      EventId: 'instance-event-0a1b2c3d4e5f60718',
      NotAfter: '26 Nov 2026 10:37:30 GMT',
    };
    const active = JSON.parse(run.get(scheduled).body) as Record<string, string>[];
    assert.equal(active.length, 1);
    assert.deepEqual({ ...active[0], NotBeforeDeadline: undefined }, { ...event, State: 'active', NotBeforeDeadline: undefined });
    assert.equal(run.get(history).body, '[]');
    assert.deepEqual(run.list(`${META}events/maintenance/`), ['history', 'scheduled']);
    run.at(5 * M + 30 * S - 1);
    assert.equal(run.get(`${META}ami-id`).status, 200);
    run.at(5 * M + 30 * S);
    assert.equal(run.get(`${META}ami-id`).abort, 'drop');
    run.at(6 * M + 30 * S);
    assert.equal(run.get(`${META}ami-id`).body, 'ami-0123');
    assert.equal(run.get(scheduled).body, '[]');
    const done = JSON.parse(run.get(history).body) as Record<string, string>[];
    assert.deepEqual(
      { ...done[0], NotBeforeDeadline: undefined },
      { ...event, Description: `[Completed] ${event.Description}`, State: 'completed', NotBeforeDeadline: undefined },
    );
  });

  test('maintenance-canceled: the event moves from scheduled to history as [Canceled]', () => {
    const run = play('maintenance-canceled');
    run.at(30 * S);
    const [event] = JSON.parse(run.get(`${META}events/maintenance/scheduled`).body) as Record<string, string>[];
    assert.equal(event!.State, 'active');
    assert.equal(event!.NotBefore, '27 Nov 2026 10:30:30 GMT');
    run.at(2 * M + 30 * S - 1);
    assert.equal(run.get(`${META}events/maintenance/history`).body, '[]');
    run.at(2 * M + 30 * S);
    assert.equal(run.get(`${META}events/maintenance/scheduled`).body, '[]');
    const [canceled] = JSON.parse(run.get(`${META}events/maintenance/history`).body) as Record<string, string>[];
    assert.deepEqual(canceled, { ...event, State: 'canceled', Description: `[Canceled] ${event!.Description}` });
  });

  test('degraded-hardware-stop: an instance-stop event without NotAfter, then the instance stops at NotBefore', () => {
    const run = play('degraded-hardware-stop');
    run.at(30 * S);
    const body = run.get(`${META}events/maintenance/scheduled`).body;
    const [event] = JSON.parse(body) as Record<string, string>[];
    assert.deepEqual(event, {
      NotBefore: '26 Nov 2026 10:40:30 GMT',
      Code: 'instance-stop',
      Description: 'The instance is running on degraded hardware',
      EventId: 'instance-event-087e363178449a61e',
      State: 'active',
    });
    assert.ok(!body.includes('NotAfter'));
    run.at(10 * M + 30 * S - 1);
    assert.equal(run.get(`${META}ami-id`).status, 200);
    run.at(10 * M + 30 * S);
    assert.equal(run.get(`${META}ami-id`).abort, 'drop');
  });

  test('asg-scale-in: InService from the start, Terminated from 1 min, and the listing names autoscaling/', () => {
    const run = play('asg-scale-in');
    const state = `${META}autoscaling/target-lifecycle-state`;
    run.at(0);
    assert.equal(run.get(state).body, 'InService');
    assert.ok(run.list(META).includes('autoscaling/'));
    run.at(1 * M - 1);
    assert.equal(run.get(state).body, 'InService');
    run.at(1 * M);
    assert.equal(run.get(state).body, 'Terminated');
  });

  test('early-boot: refused for 2 s, then every GET answers 401 (token PUTs too pass) until 10 s, then normal', () => {
    const run = play('early-boot');
    run.at(0);
    assert.equal(run.get(`${META}ami-id`).abort, 'drop');
    assert.equal(run.session.instance(), 'refused');
    run.at(2 * S);
    assert.equal(run.session.control.status().scenario!.instance, 'up');
    const refused = run.get(`${META}ami-id`);
    assert.equal(refused.status, 401);
    assert.match(refused.body, /<title>401 - Unauthorized<\/title>/);
    const token = run.token();
    assert.equal(token.status, 200);
    assert.equal(run.get(`${META}ami-id`, { 'x-aws-ec2-metadata-token': token.body }).status, 401);
    run.at(10 * S);
    assert.equal(run.get(`${META}ami-id`, { 'x-aws-ec2-metadata-token': token.body }).body, 'ami-0123');
    assert.equal(run.get(`${META}ami-id`).body, 'ami-0123');
  });

  test('token-rotation: one 401 on a valid token after 1 min, then normal; tokenless requests are never refused', () => {
    const run = play('token-rotation');
    const token = run.token().body;
    const withToken = { 'x-aws-ec2-metadata-token': token };
    run.at(1 * M - 1);
    assert.equal(run.get(`${META}ami-id`, withToken).status, 200);
    run.at(1 * M);
    assert.equal(run.get(`${META}ami-id`).status, 200);
    assert.equal(run.get(`${META}ami-id`, { 'x-aws-ec2-metadata-token': 'not-a-token' }).status, 401);
    assert.equal(run.get(`${META}ami-id`, withToken).status, 401);
    assert.equal(run.get(`${META}ami-id`, withToken).status, 200);
    const entries = run.journal.entries({ path: `${META}ami-id` }).slice(-3);
    assert.deepEqual(
      entries.map((entry) => [entry.token, entry.status, entry.step]),
      [
        ['invalid', 401, undefined],
        ['valid', 401, 'rotate'],
        ['valid', 200, undefined],
      ],
    );
  });

  test('hop-limit-container: token PUTs never answer, GETs without a token do; rules can mark single clients', () => {
    const run = play('hop-limit-container');
    assert.equal(run.token().abort, 'hang');
    assert.equal(run.get(`${META}ami-id`).body, 'ami-0123');
    assert.equal(run.journal.entries({ method: 'PUT' })[0]!.step, 'hop-limit');
  });
});
