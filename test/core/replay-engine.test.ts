import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createReplayEngine } from '../../src/core/replay-engine.js';
import { parseDuration } from '../../src/core/parse-duration.js';
import { UsageError } from '../../src/core/errors.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

const WALL = Date.parse('2026-11-26T10:30:00Z');

describe('replay engine control', () => {
  const create = () => createReplayEngine({ cassette: createTinyCassette(), secret: 's', clock: () => WALL });

  test('advance moves the clock and a token expires with it', () => {
    const engine = create();
    const token = new TextDecoder().decode(
      engine.resolve({ method: 'PUT', path: '/latest/api/token', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } }).body,
    );
    const get = () =>
      engine.resolve({ method: 'GET', path: '/latest/meta-data/ami-id', headers: { 'x-aws-ec2-metadata-token': token } }).status;
    assert.equal(get(), 200);
    assert.equal(engine.control.advance('59s').offsetMs, 59_000);
    assert.equal(get(), 200);
    engine.control.advance(1000);
    assert.equal(get(), 401);
  });

  test('setTime jumps to an instant and reset returns to the wall clock', () => {
    const engine = create();
    assert.equal(engine.control.setTime('2030-01-01T00:00:00Z').now, '2030-01-01T00:00:00.000Z');
    assert.equal(engine.now(), Date.parse('2030-01-01T00:00:00Z'));
    assert.equal(engine.control.reset().offsetMs, 0);
    assert.equal(engine.now(), WALL);
  });

  test('setTokenMode switches IMDSv2 on and off at run time', () => {
    const engine = create();
    const get = () => engine.resolve({ method: 'GET', path: '/latest/meta-data/ami-id', headers: {} }).status;
    assert.equal(get(), 200);
    engine.control.setTokenMode('required');
    assert.equal(get(), 401);
    engine.control.reset();
    assert.equal(get(), 200);
  });

  test('the fresh-credentials layer is listed and can be left out', () => {
    assert.deepEqual(create().control.status().layers, ['fresh-credentials']);
    const bare = createReplayEngine({ cassette: createTinyCassette(), secret: 's', clock: () => WALL, freshCredentials: false });
    assert.deepEqual(bare.control.status().layers, []);
    const body = new TextDecoder().decode(
      bare.resolve({ method: 'GET', path: '/latest/meta-data/iam/security-credentials/web-role', headers: {} }).body,
    );
    assert.match(body, /"Expiration" : "2020-01-01T06:00:00Z"/);
  });

  test('fresh credentials keep the recorded spacing and move only the two timestamps', () => {
    const body = new TextDecoder().decode(
      create().resolve({ method: 'GET', path: '/latest/meta-data/iam/security-credentials/web-role', headers: {} }).body,
    );
    const recorded = createTinyCassette().entries['/latest/meta-data/iam/security-credentials/web-role']!.body!;
    assert.equal(
      body,
      recorded.replace('2020-01-01T00:00:00Z', '2026-11-26T10:00:00Z').replace('2020-01-01T06:00:00Z', '2026-11-26T16:00:00Z'),
    );
  });

  test('bad control input is a UsageError naming the value and the fix', () => {
    assert.throws(
      () => create().control.setTime('yesterday'),
      (error: Error) => error instanceof UsageError && /RFC 3339/.test(error.message),
    );
    assert.throws(() => create().control.advance('soon'), /not a duration/);
  });
});

describe('parseDuration', () => {
  const cases: Array<[string | number, number]> = [
    ['30', 30_000],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    [250, 250],
    ['1.5s', 1500],
  ];
  for (const [input, ms] of cases) test(`${JSON.stringify(input)} is ${ms} ms`, () => assert.equal(parseDuration(input), ms));
  for (const bad of ['', 'x', '5 minutes', '-1s', '1y'])
    test(`${JSON.stringify(bad)} is refused`, () => assert.throws(() => parseDuration(bad), UsageError));
});

describe('notices as data', () => {
  const create = () => createReplayEngine({ cassette: createTinyCassette(), secret: 's', clock: () => WALL, freshCredentials: false });

  test('notices() lists what shows at the replay time, with the facts both profiles render', () => {
    const engine = create();
    engine.control.spot({ action: 'stop', delay: '1m' });
    engine.control.event({ code: 'instance-reboot', delay: '2m' });
    engine.control.event({ code: 'system-reboot', state: 'completed', delay: '5m' });
    engine.control.asg({ state: 'Terminated' });
    assert.deepEqual(
      engine.notices().map((notice) => notice.kind),
      ['asg'],
    );
    engine.control.advance('2m');
    const notices = engine.notices();
    assert.deepEqual(
      notices.map((notice) => notice.kind),
      ['spot', 'events', 'asg'],
    );
    const [spot, events] = notices;
    assert.deepEqual(spot, { kind: 'spot', at: WALL + 60_000, action: 'stop', time: WALL + 180_000 });
    assert.equal(events?.kind, 'events');
    if (events?.kind !== 'events') return;
    assert.deepEqual(
      events.events.map((event) => [event.code, event.eventId, event.notBefore]),
      [['instance-reboot', 'instance-event-1234567890abcdef0', WALL + 120_000]],
    );
  });

  test('the served notice and notices() agree; reading notices() takes no mock-ip-count place, a request does', () => {
    const engine = createReplayEngine({
      cassette: createTinyCassette(),
      secret: 's',
      clock: () => WALL,
      mocks: { spot: { action: 'terminate' }, mockIpCount: 1 },
    });
    const get = (clientAddress: string) =>
      engine.resolve({ method: 'GET', path: '/latest/meta-data/spot/instance-action', headers: {}, clientAddress });
    engine.notices();
    const spot = engine.notices()[0];
    assert.equal(spot?.kind, 'spot');
    if (spot?.kind !== 'spot') return;
    const first = get('10.0.0.2');
    assert.equal(
      new TextDecoder().decode(first.body),
      `{"action": "terminate", "time": "${new Date(spot.time!).toISOString().replace('.000', '')}"}`,
    );
    assert.equal(get('10.0.0.1').status, 404);
    assert.equal(get('10.0.0.2').status, 200);
  });
});
