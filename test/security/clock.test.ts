import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReplayEngine } from '../../src/core/replay-engine.js';
import { defaultCassette } from '../../src/msw/index.js';

const text = (response: { body: Uint8Array }): string => new TextDecoder().decode(response.body);
const get = (path: string) => ({ method: 'GET', path, headers: { host: '169.254.169.254' } });
const ROLE = `/latest/meta-data/iam/security-credentials/${defaultCassette.entries['/latest/meta-data/iam/security-credentials/']!.body!}`;

test('a clock past year 9999 never serves a +010000 time (issue 11 item 8)', () => {
  const engine = createReplayEngine({ cassette: defaultCassette, clock: () => Date.UTC(10_000, 0, 1, 1, 0, 0), secret: 'clock-test' });
  engine.control.spot({ action: 'stop' });
  engine.control.rebalance({});
  engine.control.event({ code: 'system-reboot' });
  const bodies = [
    ROLE,
    '/latest/meta-data/spot/instance-action',
    '/latest/meta-data/spot/termination-time',
    '/latest/meta-data/events/recommendations/rebalance',
    '/latest/meta-data/events/maintenance/scheduled',
  ].map((path) => text(engine.resolve(get(path))));
  for (const body of bodies) {
    assert.doesNotMatch(body, /\+0\d{5}-/, body);
    assert.doesNotMatch(body, /10000/, body);
  }
  assert.match(bodies[1]!, /"time": "9999-12-31T23:59:59Z"/);
  assert.throws(() => engine.control.setTime('+010000-01-01T00:00:00Z'), { code: 'USAGE' });
});
