import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Layer } from '../../src/core/layer.js';
import { createReplayEngine } from '../../src/core/replay-engine.js';
import type { ImdsRequest } from '../../src/core/resolve-request.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

// The engine remembers answers per request shape: these move only the wall clock (never a control
// verb, which clears the memo), so a remembered answer that outlives what it was made of shows.
const WALL = Date.parse('2026-11-26T10:30:00Z');
const text = (body: Uint8Array): string => new TextDecoder().decode(body);
const get = (path: string, headers: ImdsRequest['headers'] = {}, clientAddress?: string): ImdsRequest => ({
  method: 'GET',
  path,
  headers,
  clientAddress,
});

function movingClock(start = WALL): { clock: () => number; move(ms: number): void; set(at: number): void } {
  let at = start;
  return { clock: () => at, move: (ms) => void (at += ms), set: (next) => void (at = next) };
}

describe('remembered answers', () => {
  test('a spot notice shows once the wall clock passes its trigger, and hides again when the clock steps back', () => {
    const time = movingClock();
    const engine = createReplayEngine({ cassette: createTinyCassette(), secret: 's', clock: time.clock, mocks: { spot: { delay: '1m' } } });
    const action = get('/latest/meta-data/spot/instance-action');
    assert.equal(engine.resolve(action).status, 404);
    time.move(59_999);
    assert.equal(engine.resolve(action).status, 404);
    time.move(1);
    assert.equal(engine.resolve(action).status, 200);
    time.set(WALL + 30_000);
    assert.equal(engine.resolve(action).status, 404);
  });

  test('the listing that names spot/ changes with the notice, not only the notice paths', () => {
    const time = movingClock();
    const engine = createReplayEngine({
      cassette: createTinyCassette(),
      secret: 's',
      clock: time.clock,
      mocks: { spot: { delay: '10s' } },
    });
    const listing = get('/latest/meta-data/');
    assert.doesNotMatch(text(engine.resolve(listing).body), /^spot\/$/m);
    time.move(10_000);
    assert.match(text(engine.resolve(listing).body), /^spot\/$/m);
  });

  test('scheduled events show one by one as each trigger passes', () => {
    const time = movingClock();
    const engine = createReplayEngine({
      cassette: createTinyCassette(),
      secret: 's',
      clock: time.clock,
      mocks: {
        events: [
          { code: 'system-reboot', delay: '1m' },
          { code: 'instance-stop', delay: '2m' },
        ],
      },
    });
    const scheduled = get('/latest/meta-data/events/maintenance/scheduled');
    const codes = (): string[] => [...text(engine.resolve(scheduled).body).matchAll(/"Code" ?: ?"([^"]+)"/g)].map((match) => match[1]!);
    assert.deepEqual(codes(), []);
    time.move(60_000);
    assert.deepEqual(codes(), ['system-reboot']);
    time.move(60_000);
    assert.deepEqual(codes(), ['system-reboot', 'instance-stop']);
  });

  test('fresh credentials roll over on the hour', () => {
    const time = movingClock(Date.parse('2026-11-26T10:59:59Z'));
    const engine = createReplayEngine({ cassette: createTinyCassette(), secret: 's', clock: time.clock });
    const credentials = get('/latest/meta-data/iam/security-credentials/web-role');
    assert.match(text(engine.resolve(credentials).body), /"LastUpdated" : "2026-11-26T10:00:00Z"/);
    time.move(1000);
    assert.match(text(engine.resolve(credentials).body), /"LastUpdated" : "2026-11-26T11:00:00Z"/);
  });

  test('a token is checked on every request: the same request answers 401 once it expired', () => {
    const time = movingClock();
    const engine = createReplayEngine({ cassette: createTinyCassette(), secret: 's', clock: time.clock });
    const token = text(
      engine.resolve({ method: 'PUT', path: '/latest/api/token', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '5' } }).body,
    );
    const request = get('/latest/meta-data/ami-id', { 'x-aws-ec2-metadata-token': token });
    assert.equal(engine.resolve(request).status, 200);
    time.move(5000);
    assert.equal(engine.resolve(request).status, 401);
    assert.equal(engine.resolve(get('/latest/meta-data/ami-id')).status, 200);
  });

  test('each token PUT issues a fresh token', () => {
    const engine = createReplayEngine({ cassette: createTinyCassette(), secret: 's', clock: () => WALL });
    const put = (nonce: number): string =>
      text(
        engine.resolve(
          { method: 'PUT', path: '/latest/api/token', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } },
          new Uint8Array(8).fill(nonce),
        ).body,
      );
    assert.notEqual(put(1), put(2));
  });

  test("the 301 Location follows each request's Host", () => {
    const engine = createReplayEngine({ cassette: createTinyCassette(), secret: 's', clock: () => WALL });
    assert.equal(engine.resolve(get('/latest/meta-data/iam', { host: 'a:1' })).headers.location, 'http://a:1/latest/meta-data/iam/');
    assert.equal(engine.resolve(get('/latest/meta-data/iam', { host: 'b:2' })).headers.location, 'http://b:2/latest/meta-data/iam/');
  });

  test('with mock-ip-count, clients past the count keep missing notices the first clients see', () => {
    const engine = createReplayEngine({
      cassette: createTinyCassette(),
      secret: 's',
      clock: () => WALL,
      mocks: { mockIpCount: 1, spot: {} },
    });
    const action = '/latest/meta-data/spot/instance-action';
    assert.equal(engine.resolve(get(action, {}, '10.0.0.1')).status, 200);
    assert.equal(engine.resolve(get(action, {}, '10.0.0.2')).status, 404);
    assert.equal(engine.resolve(get(action, {}, '10.0.0.1')).status, 200);
    assert.equal(engine.resolve(get(action, {}, '10.0.0.2')).status, 404);
  });

  test('a latency fault delays only the requests it counts, never a remembered answer', () => {
    const engine = createReplayEngine({
      cassette: createTinyCassette(),
      secret: 's',
      clock: () => WALL,
      mocks: { faults: [{ path: 'ami-id', latency: '2s', times: 1 }] },
    });
    const request = get('/latest/meta-data/ami-id');
    assert.equal(engine.resolve(request).delayMs, 2000);
    assert.equal(engine.resolve(request).delayMs, undefined);
    assert.equal(engine.resolve(request).delayMs, undefined);
  });

  test('a throttle counts requests answered from the memo, and a fault still fires on them', () => {
    const engine = createReplayEngine({
      cassette: createTinyCassette(),
      secret: 's',
      clock: () => WALL,
      mocks: { throttle: { rate: 1, burst: 2, action: 429 } },
    });
    const request = get('/latest/meta-data/ami-id');
    assert.deepEqual([engine.resolve(request).status, engine.resolve(request).status, engine.resolve(request).status], [200, 200, 429]);
    const faulty = createReplayEngine({
      cassette: createTinyCassette(),
      secret: 's',
      clock: () => WALL,
      mocks: {
        faults: [
          { path: 'ami-id', latency: '1s', times: 1 },
          { path: '/latest/meta-data/ami-id', status: 503, times: 1 },
        ],
      },
    });
    assert.deepEqual([faulty.resolve(request).status, faulty.resolve(request).status, faulty.resolve(request).status], [503, 200, 200]);
  });

  test('a layer of ours without stableUntil has its patch asked on every request', () => {
    let calls = 0;
    const counting: Layer = {
      name: 'counting',
      patch: () => {
        calls++;
        return new Map([['/latest/meta-data/ami-id', { status: 200, headers: {}, body: `ami-${calls}` }]]);
      },
    };
    const engine = createReplayEngine({ cassette: createTinyCassette(), secret: 's', clock: () => WALL, layers: [counting] });
    assert.equal(text(engine.resolve(get('/latest/meta-data/ami-id')).body), 'ami-1');
    assert.equal(text(engine.resolve(get('/latest/meta-data/ami-id')).body), 'ami-2');
  });

  test("the AEMM profile's spot time follows the request's second", () => {
    const time = movingClock();
    const engine = createReplayEngine({
      cassette: createTinyCassette(),
      secret: 's',
      clock: time.clock,
      profile: 'aemm',
      mocks: { spot: {} },
    });
    const request = get('/latest/meta-data/spot/termination-time');
    assert.equal(text(engine.resolve(request).body), '2026-11-26T10:32:00Z');
    time.move(999);
    assert.equal(text(engine.resolve(request).body), '2026-11-26T10:32:00Z');
    time.move(1);
    assert.equal(text(engine.resolve(request).body), '2026-11-26T10:32:01Z');
  });
});
