import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadCassette } from '../../src/cassette/load-cassette.js';
import { UsageError } from '../../src/core/errors.js';
import { normalizeLayerSettings } from '../../src/core/layers/layer-settings.js';
import { createReplayEngine, type ReplayEngine } from '../../src/core/replay-engine.js';
import { renderErrorPage } from '../../src/core/error-pages.js';

const START = Date.parse('2026-11-26T10:00:00Z');
const cassette = await loadCassette();

function engineWith(
  mocks: Record<string, unknown>,
  extra: { imdsv2?: 'required' } = {},
): { engine: ReplayEngine; tick: (ms: number) => void } {
  let wall = START;
  const engine = createReplayEngine({ cassette, secret: 's', clock: () => wall, mocks, ...extra });
  return { engine, tick: (ms) => (wall += ms) };
}

function get(engine: ReplayEngine, path: string, clientAddress?: string, headers: Record<string, string> = {}) {
  const response = engine.resolve({ method: 'GET', path, headers, clientAddress });
  return { ...response, text: new TextDecoder().decode(response.body) };
}

/** Every listed child answers 200, recursively (cloud-init's crawl). */
function assertListingsConsistent(engine: ReplayEngine, headers: Record<string, string> = {}): void {
  const visit = (path: string): void => {
    const response = get(engine, path, undefined, headers);
    assert.equal(response.status, 200, `${path} answers ${response.status}`);
    if (!path.endsWith('/')) return;
    for (const line of response.text.split('\n').filter(Boolean)) {
      const indexed = /^(\d+)=/.exec(line);
      visit(`${path}${indexed ? `${indexed[1]}/` : line}`);
    }
  };
  visit('/latest/meta-data/');
}

describe('spot layer', () => {
  test('before the delay: no spot/ in the listing, 404 on the notice, life cycle already spot', () => {
    const { engine } = engineWith({ spot: { action: 'stop', delay: '30s' } });
    assert.doesNotMatch(get(engine, '/latest/meta-data/').text, /^spot\/$/m);
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action').status, 404);
    assert.equal(get(engine, '/latest/meta-data/instance-life-cycle').text, 'spot');
    assertListingsConsistent(engine);
  });

  test('after the delay: instance-action with time = notice + 2 min, termination-time the same', () => {
    const { engine, tick } = engineWith({ spot: { action: 'stop', delay: '30s' } });
    tick(30_000);
    assert.match(get(engine, '/latest/meta-data/').text, /^spot\/$/m);
    assert.equal(get(engine, '/latest/meta-data/spot/').text, 'instance-action\ntermination-time');
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action').text, '{"action": "stop", "time": "2026-11-26T10:02:30Z"}');
    assert.equal(get(engine, '/latest/meta-data/spot/termination-time').text, '2026-11-26T10:02:30Z');
    assertListingsConsistent(engine);
  });

  test('an absolute trigger time wins over the delay, and an explicit time is served as given', () => {
    const { engine, tick } = engineWith({
      spot: { action: 'terminate', delay: '1s', at: '2026-11-26T10:05:00Z', time: '2026-11-26T10:09:00Z' },
    });
    tick(60_000);
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action').status, 404);
    tick(240_000);
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action').text, '{"action": "terminate", "time": "2026-11-26T10:09:00Z"}');
  });

  test('hibernate has no two-minute lead', () => {
    const { engine } = engineWith({ spot: 'hibernate' });
    assert.equal(get(engine, '/latest/meta-data/spot/termination-time').text, '2026-11-26T10:00:00Z');
  });

  test('a run-time trigger shows at once, control.advance reaches a delayed one, clear and reset undo', () => {
    const { engine } = engineWith({});
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action').status, 404);
    engine.control.spot({ action: 'terminate', delay: '2m' });
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action').status, 404);
    engine.control.advance('2m');
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action').status, 200);
    engine.control.clear('spot');
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action').status, 404);
    assert.equal(get(engine, '/latest/meta-data/instance-life-cycle').text, 'on-demand');
    engine.control.spot('stop');
    assert.match(get(engine, '/latest/meta-data/spot/instance-action').text, /"stop"/);
    engine.control.reset();
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action').status, 404);
  });
});

describe('rebalance layer', () => {
  test('404 until its trigger, then noticeTime = the trigger, listed under events/recommendations/', () => {
    const { engine, tick } = engineWith({ rebalance: { delay: '10s' } });
    assert.equal(get(engine, '/latest/meta-data/events/recommendations/rebalance').status, 404);
    assert.equal(get(engine, '/latest/meta-data/events/').text, 'maintenance/');
    tick(10_000);
    assert.equal(get(engine, '/latest/meta-data/events/').text, 'maintenance/\nrecommendations/');
    assert.equal(get(engine, '/latest/meta-data/events/recommendations/rebalance').text, '{"noticeTime": "2026-11-26T10:00:10Z"}');
    assertListingsConsistent(engine);
  });
});

describe('events layer', () => {
  test('scheduled is [] before the trigger and the event after, in IMDS JSON style', () => {
    const { engine, tick } = engineWith({ events: [{ code: 'instance-stop', delay: '5s', notAfter: '2026-12-01T00:00:00Z' }] });
    assert.equal(get(engine, '/latest/meta-data/events/maintenance/scheduled').text, '[]');
    tick(5000);
    assert.equal(
      get(engine, '/latest/meta-data/events/maintenance/scheduled').text,
      [
        '[',
        '  {',
        '    "NotBefore" : "26 Nov 2026 10:00:05 GMT",',
        '    "Code" : "instance-stop",',
        '    "Description" : "The instance is scheduled for instance-stop",',
        '    "EventId" : "instance-event-1234567890abcdef0",',
        '    "NotAfter" : "1 Dec 2026 00:00:00 GMT",',
        '    "NotBeforeDeadline" : "5 Dec 2026 10:00:05 GMT",',
        '    "State" : "active"',
        '  }',
        ']',
      ].join('\n'),
    );
    assert.equal(get(engine, '/latest/meta-data/events/maintenance/history').text, '[]');
  });

  test('completed and canceled events go to history with the outcome before the description', () => {
    const { engine } = engineWith({
      events: [
        { code: 'system-reboot', state: 'completed' },
        { code: 'instance-reboot', state: 'canceled', description: 'reboot' },
      ],
    });
    const history = JSON.parse(get(engine, '/latest/meta-data/events/maintenance/history').text) as Array<Record<string, string>>;
    assert.deepEqual(
      history.map((event) => event.Description),
      ['[Completed] The instance is scheduled for system-reboot', '[Canceled] reboot'],
    );
    assert.notEqual(history[0]!.EventId, history[1]!.EventId);
    assert.equal(get(engine, '/latest/meta-data/events/maintenance/scheduled').text, '[]');
  });

  test('control.event adds events one by one', () => {
    const { engine } = engineWith({});
    engine.control.event({ code: 'system-maintenance' });
    engine.control.event({ code: 'instance-retirement' });
    const scheduled = JSON.parse(get(engine, '/latest/meta-data/events/maintenance/scheduled').text) as Array<Record<string, string>>;
    assert.deepEqual(
      scheduled.map((event) => event.Code),
      ['system-maintenance', 'instance-retirement'],
    );
  });
});

describe('asg layer', () => {
  test('InService, then Terminated after the delay, listed under autoscaling/', () => {
    const { engine, tick } = engineWith({ asg: { delay: '30s' } });
    assert.match(get(engine, '/latest/meta-data/').text, /^autoscaling\/$/m);
    assert.equal(get(engine, '/latest/meta-data/autoscaling/target-lifecycle-state').text, 'InService');
    tick(30_000);
    assert.equal(get(engine, '/latest/meta-data/autoscaling/target-lifecycle-state').text, 'Terminated');
    assertListingsConsistent(engine);
  });

  test('another target state can be chosen', () => {
    const { engine } = engineWith({ asg: { state: 'Warmed:Hibernated' } });
    assert.equal(get(engine, '/latest/meta-data/autoscaling/target-lifecycle-state').text, 'Warmed:Hibernated');
  });
});

describe('tags layer', () => {
  test('merge adds and changes tags and keeps the recorded ones', () => {
    const { engine } = engineWith({ tags: { values: { Name: 'web', 'team+ops': 'sre' } } });
    assert.equal(get(engine, '/latest/meta-data/tags/instance/').text, 'Environment\nName\nTeam\nteam+ops');
    assert.equal(get(engine, '/latest/meta-data/tags/instance/Name').text, 'web');
    assert.equal(get(engine, '/latest/meta-data/tags/instance/team%2Bops').text, 'sre');
    assertListingsConsistent(engine);
  });

  test('replace serves only the given tags', () => {
    const { engine } = engineWith({ tags: { mode: 'replace', values: { Only: '1' } } });
    assert.equal(get(engine, '/latest/meta-data/tags/instance/').text, 'Only');
    assert.equal(get(engine, '/latest/meta-data/tags/instance/Name').status, 404);
    assertListingsConsistent(engine);
  });

  test('off makes tags/ 404 and drops it from the listing', () => {
    const { engine } = engineWith({ tags: false });
    assert.equal(get(engine, '/latest/meta-data/tags/').status, 404);
    assert.equal(get(engine, '/latest/meta-data/tags/instance/Name').status, 404);
    assert.doesNotMatch(get(engine, '/latest/meta-data/').text, /tags/);
    assertListingsConsistent(engine);
  });

  test('keys that cannot appear in metadata are refused', () => {
    for (const key of ['has space', 'a/b', '..', '_index']) {
      assert.throws(
        () => normalizeLayerSettings({ tags: { values: { [key]: 'x' } } }, 0),
        (error: Error) => error instanceof UsageError && error.message.includes(JSON.stringify(key)),
      );
    }
  });
});

describe('fault layer', () => {
  test('a status fault answers with the IMDS error page on matching paths only', () => {
    const { engine } = engineWith({
      faults: [
        { path: 'spot/*', status: 503 },
        { path: 'iam/**', status: 500 },
      ],
    });
    engine.control.spot();
    const spot = get(engine, '/latest/meta-data/spot/instance-action');
    assert.equal(spot.status, 503);
    assert.equal(spot.text, renderErrorPage(503));
    assert.equal(get(engine, '/2021-03-23/meta-data/spot/termination-time').status, 503);
    assert.equal(get(engine, '/latest/meta-data/iam/security-credentials/baskinc-role').status, 500);
    assert.equal(get(engine, '/latest/meta-data/instance-id').status, 200);
  });

  test('latency adds to the normal answer; drop and hang answer nothing', () => {
    const { engine } = engineWith({
      faults: [
        { path: '**', latency: '150ms' },
        { path: 'api/token', hang: true },
        { path: 'meta-data/mac', drop: true },
      ],
    });
    const leaf = get(engine, '/latest/meta-data/instance-id');
    assert.equal(leaf.status, 200);
    assert.equal(leaf.delayMs, 150);
    const put = engine.resolve({ method: 'PUT', path: '/latest/api/token', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } });
    assert.equal(put.abort, 'hang');
    assert.equal(get(engine, '/latest/meta-data/mac').abort, 'drop');
  });

  test('times limits a fault to the first N matching requests', () => {
    const { engine } = engineWith({ faults: [{ path: '/latest/meta-data/instance-id', status: 500, times: 2 }] });
    assert.deepEqual(
      [1, 2, 3].map(() => get(engine, '/latest/meta-data/instance-id').status),
      [500, 500, 200],
    );
  });

  test('a fault without an effect, or with two, is refused', () => {
    assert.throws(() => normalizeLayerSettings({ faults: [{ path: 'x' }] }, 0), /has no effect/);
    assert.throws(() => normalizeLayerSettings({ faults: [{ path: 'x', status: 500, drop: true }] }, 0), /Choose one/);
  });
});

describe('throttle layer', () => {
  test('over the burst, requests are dropped until tokens refill at the rate', () => {
    const { engine, tick } = engineWith({ throttle: { rate: 10, burst: 3 } });
    const outcomes = () => get(engine, '/latest/meta-data/instance-id').abort ?? 'ok';
    assert.deepEqual([1, 2, 3, 4].map(outcomes), ['ok', 'ok', 'ok', 'drop']);
    tick(100);
    assert.deepEqual([1, 2].map(outcomes), ['ok', 'drop']);
  });

  test('a status can be answered instead of dropping', () => {
    const { engine } = engineWith({ throttle: { rate: 1, burst: 1, action: 429 } });
    assert.deepEqual(
      [1, 2].map(() => get(engine, '/latest/meta-data/instance-id').status),
      [200, 429],
    );
  });
});

describe('mock-ip-count', () => {
  test('only the first N client addresses see notices; the rest see none', () => {
    const { engine } = engineWith({ spot: {}, asg: {}, events: [{}], rebalance: true, mockIpCount: 2 });
    const sees = (address: string) => get(engine, '/latest/meta-data/spot/instance-action', address).status;
    assert.equal(sees('10.0.0.1'), 200);
    assert.equal(sees('::1'), 200);
    assert.equal(sees('10.0.0.3'), 404);
    assert.equal(sees('::ffff:10.0.0.1'), 200, 'a v4-mapped address is the same client');
    assert.equal(get(engine, '/latest/meta-data/autoscaling/target-lifecycle-state', '10.0.0.3').text, 'InService');
    assert.equal(get(engine, '/latest/meta-data/events/maintenance/scheduled', '10.0.0.3').text, '[]');
    assert.equal(get(engine, '/latest/meta-data/events/recommendations/rebalance', '10.0.0.3').status, 404);
  });
});

describe('every layer with IMDSv2 required', () => {
  test('tokens are still required and listings stay consistent with a token', () => {
    const { engine } = engineWith(
      { spot: {}, rebalance: true, events: [{}], asg: {}, tags: { values: { A: 'b' } } },
      { imdsv2: 'required' },
    );
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action').status, 401);
    const token = new TextDecoder().decode(
      engine.resolve({ method: 'PUT', path: '/latest/api/token', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } }).body,
    );
    assertListingsConsistent(engine, { 'x-aws-ec2-metadata-token': token });
  });
});

describe('mock settings errors', () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ spot: { action: 'explode' } }, /Spot action "explode" is not allowed\. Use one of: terminate, stop, hibernate\./],
    [{ spot: { delay: 'soon' } }, /spot\.delay "soon" is not a duration/],
    [{ spot: { at: 'tomorrow' } }, /spot\.at "tomorrow" is not a time\. Use RFC 3339/],
    [{ events: [{ code: 'FOO' }] }, /Event code "FOO" is not allowed\. Use one of: instance-reboot/],
    [{ asg: { state: 'Gone' } }, /ASG target lifecycle state "Gone" is not allowed/],
    [{ spto: {} }, /unknown setting "spto"/],
    [{ throttle: { rate: 0 } }, /throttle\.rate must be a number/],
    [[], /must be a JSON object/],
  ];
  for (const [input, message] of cases) {
    test(`${JSON.stringify(input)} is refused with one line`, () => {
      assert.throws(
        () => normalizeLayerSettings(input, 0),
        (error: Error) => error instanceof UsageError && message.test(error.message) && !error.message.includes('\n'),
      );
    });
  }
});

describe('run-time changes keep what layers counted', () => {
  test('a spent fault stays spent and admitted clients stay admitted when another mock changes', () => {
    const { engine } = engineWith({ faults: [{ path: 'instance-id', status: 503, times: 1 }], spot: {}, mockIpCount: 1 });
    assert.equal(get(engine, '/latest/meta-data/instance-id', '10.0.0.1').status, 503);
    assert.equal(get(engine, '/latest/meta-data/instance-id', '10.0.0.1').status, 200);
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action', '10.0.0.1').status, 200);
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action', '10.0.0.2').status, 404);
    engine.control.rebalance({ delay: '1h' });
    assert.equal(get(engine, '/latest/meta-data/instance-id', '10.0.0.1').status, 200, 'the fault does not come back');
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action', '10.0.0.2').status, 404);
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action', '10.0.0.1').status, 200);
    engine.control.reset();
    assert.equal(get(engine, '/latest/meta-data/instance-id', '10.0.0.1').status, 503, 'reset starts the counters over');
  });

  test('mock-ip-count 0 hides notices from in-process clients too', () => {
    const { engine } = engineWith({ spot: {}, mockIpCount: 0 });
    assert.equal(get(engine, '/latest/meta-data/spot/instance-action').status, 404);
  });

  test('settings that cannot be applied leave the engine as it was', () => {
    const { engine } = engineWith({});
    assert.throws(() => engine.control.advance(1e16), /not a duration|longer than ten years/);
    assert.throws(() => engine.control.spot({ delay: 9e15 }), UsageError);
    assert.throws(() => engine.control.advance({} as unknown as string), /advance \{\} is not a duration/);
    assert.throws(() => engine.control.setTime('20000-01-01T00:00:00Z'), /is not a time/);
    assert.equal(get(engine, '/latest/meta-data/iam/security-credentials/baskinc-role').status, 200);
    assert.deepEqual(engine.control.status().mocks, []);
  });
});

describe('mock-ip-count places', () => {
  test('a client asking before any event is due takes no place', () => {
    const { engine, tick } = engineWith({ events: [{ delay: '10s' }], mockIpCount: 1 });
    assert.equal(get(engine, '/latest/meta-data/events/maintenance/scheduled', '10.0.0.9').text, '[]');
    tick(10_000);
    assert.match(get(engine, '/latest/meta-data/events/maintenance/scheduled', '10.0.0.1').text, /system-reboot/);
    assert.equal(get(engine, '/latest/meta-data/events/maintenance/scheduled', '10.0.0.9').text, '[]');
  });
});
