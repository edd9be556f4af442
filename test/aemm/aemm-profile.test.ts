import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createReplayEngine, type ReplayEngine } from '../../src/core/replay-engine.js';
import type { ImdsResponse } from '../../src/core/resolve-request.js';
import { buildAemmCassette } from '../../src/aemm/build-aemm-cassette.js';
import { loadAemmConfig } from '../../src/aemm/load-aemm-config.js';
import { parseAemmArgs } from '../../src/aemm/parse-aemm-args.js';
import { toAemmMocks } from '../../src/aemm/to-aemm-mocks.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';
import { NOT_FOUND_PAGE } from './aemm-golden.js';

const START = Date.UTC(2026, 0, 1, 12, 0, 0);

/** An engine set up as `ec2-metadata-mock ARGS` sets up its server, on a fake clock starting at START. */
async function engineFor(args: string[]): Promise<{ engine: ReplayEngine; clock: { now: number } }> {
  const invocation = parseAemmArgs(args);
  assert.equal(invocation.action, 'run');
  if (invocation.action !== 'run') throw new Error('not a run');
  const { tree, settings } = await loadAemmConfig({ flags: invocation.flags, env: {}, now: START, utcOffsetMinutes: 0 });
  const clock = { now: START };
  const engine = createReplayEngine({
    cassette: buildAemmCassette(tree),
    mocks: toAemmMocks(invocation.command, settings, tree, START),
    profile: 'aemm',
    freshCredentials: false,
    secret: 'secret',
    clock: () => clock.now,
  });
  return { engine, clock };
}

const text = (response: ImdsResponse): string => new TextDecoder().decode(response.body);
const get = (engine: ReplayEngine, path: string, clientAddress = '10.0.0.1') =>
  engine.resolve({ method: 'GET', path, headers: {}, clientAddress });
const SPOT = '/latest/meta-data/spot/instance-action';
const EVENTS = '/latest/meta-data/events/maintenance/scheduled';

describe('the aemm profile on the shared engine', () => {
  test('a delay counts on the engine clock, so control.advance skips it', async () => {
    const { engine } = await engineFor(['-d', '60']);
    assert.equal(get(engine, SPOT).status, 404);
    engine.control.advance('61s');
    const response = get(engine, SPOT);
    assert.equal(response.status, 200);
    assert.equal(
      text(response),
      `{\n\t"action": "terminate",\n\t"time": "2026-01-01T12:03:01Z"\n}`,
      'request time (after the jump) + 2 minutes',
    );
  });

  test('mock-ip-count admits the first N client addresses to notices; the others get 404, static metadata stays', async () => {
    const { engine } = await engineFor(['-x', '1']);
    assert.equal(get(engine, SPOT, '10.0.0.1').status, 200);
    assert.equal(get(engine, EVENTS, '10.0.0.1').status, 200);
    assert.equal(text(get(engine, SPOT, '10.0.0.2')), NOT_FOUND_PAGE);
    assert.equal(get(engine, EVENTS, '10.0.0.2').status, 404);
    assert.equal(get(engine, '/latest/meta-data/mac', '10.0.0.2').status, 200);
  });

  test("events added at run time join AEMM's, each with its own id, states kept in scheduled", async () => {
    const { engine } = await engineFor(['events']);
    engine.control.event({ code: 'instance-stop', state: 'canceled' });
    const events = JSON.parse(text(get(engine, EVENTS))) as Array<{ Code: string; State: string; EventId: string; Description: string }>;
    assert.deepEqual(
      events.map((event) => [event.Code, event.State]),
      [
        ['system-reboot', 'active'],
        ['instance-stop', 'canceled'],
      ],
    );
    assert.equal(events[0]!.EventId, 'instance-event-1234567890abcdef0');
    assert.notEqual(events[1]!.EventId, events[0]!.EventId);
    assert.equal(events[1]!.Description, 'The instance is scheduled for instance-stop', 'no [Canceled] prefix in AEMM');
  });

  test('event dates keep the zone they were given in, labelled GMT, as AEMM prints them', async () => {
    const { engine } = await engineFor([
      'events',
      '-b',
      '2020-01-01T01:03:47-05:00',
      '-a',
      '2020-01-07T01:03:47+01:00',
      '-l',
      '2020-01-10T01:03:47Z',
    ]);
    const [event] = JSON.parse(text(get(engine, EVENTS))) as Array<Record<string, string>>;
    assert.deepEqual(
      [event!.NotBefore, event!.NotAfter, event!.NotBeforeDeadline],
      ['1 Jan 2020 01:03:47 GMT', '7 Jan 2020 01:03:47 GMT', '10 Jan 2020 01:03:47 GMT'],
    );
  });

  test('a spot notice added at run time to the events command shows under the AEMM listing', async () => {
    const { engine } = await engineFor(['events']);
    assert.equal(get(engine, SPOT).status, 404);
    assert.doesNotMatch(text(get(engine, '/latest/meta-data')), /spot\//);
    engine.control.spot({ action: 'stop' });
    assert.match(text(get(engine, '/latest/meta-data')), /\nspot\/\n/);
    assert.match(text(get(engine, SPOT)), /"action": "stop"/);
    assert.equal(text(get(engine, '/latest/meta-data/instance-life-cycle')), 'on-demand');
  });

  test("a fault status is answered with AEMM's error page style", async () => {
    const { engine } = await engineFor([]);
    engine.control.fault({ path: 'mac', status: 503 });
    const response = get(engine, '/latest/meta-data/mac');
    assert.equal(response.status, 503);
    assert.equal(response.headers['Content-Type'], 'text/plain; charset=utf-8');
    assert.match(text(response), /<title>503 - Service Unavailable<\/title>/);
  });

  test('a real-IMDS recording under the aemm profile: AEMM listings, no 301, no dated versions', () => {
    const engine = createReplayEngine({ cassette: createTinyCassette(), profile: 'aemm', secret: 's', clock: () => START });
    assert.equal(text(get(engine, '/latest/meta-data')), 'ami-id\niam/\ninstance-id\npublic-keys/\ntags/\n');
    assert.equal(text(get(engine, '/latest/meta-data/public-keys')), '0/');
    const iam = get(engine, '/latest/meta-data/iam');
    assert.equal(iam.status, 200);
    assert.equal(text(iam), 'info\nsecurity-credentials/');
    assert.equal(get(engine, '/2009-04-04/meta-data/ami-id').status, 404);
    assert.equal(text(get(engine, '/latest/meta-data/tags/instance/team%2Bops')), 'sre');
  });

  test('the imds profile stays the default and answers the same cassette the real-IMDS way', async () => {
    const { tree } = await loadAemmConfig({ flags: [], env: {}, now: START, utcOffsetMinutes: 0 });
    const engine = createReplayEngine({ cassette: buildAemmCassette(tree), secret: 's', clock: () => START });
    const listing = get(engine, '/latest/meta-data');
    assert.equal(listing.status, 301);
    assert.equal(get(engine, '/nope').headers['content-type'], 'text/html');
  });
});
