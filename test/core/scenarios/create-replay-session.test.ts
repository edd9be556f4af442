import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createJournal } from '../../../src/core/journal/create-journal.js';
import { createReplayEngine } from '../../../src/core/replay-engine.js';
import { createReplaySession } from '../../../src/core/scenarios/create-replay-session.js';
import { createTinyCassette } from '../../helpers/tiny-cassette.js';

const START = Date.parse('2026-11-26T10:30:00Z');
const HOUR = 3600_000;
const request = { method: 'GET', path: '/latest/meta-data/ami-id', headers: {} };

/** A clock that counts its reads and moves only when the test says. */
function countingClock() {
  const clock = Object.assign(() => (clock.reads++, clock.at), { reads: 0, at: START });
  return clock;
}

test('a journaled request reads a clock shared by the engine and the journal once, and records both instants', () => {
  const clock = countingClock();
  const engine = createReplayEngine({ cassette: createTinyCassette(), secret: 'test', clock });
  engine.control.advance('1h');
  const journal = createJournal();
  const session = createReplaySession({ engine, journal, wallClock: clock });
  clock.reads = 0;
  clock.at = START + 5;
  assert.equal(session.resolve(request).status, 200);
  assert.equal(clock.reads, 1);
  const [entry] = journal.entries();
  assert.equal(entry?.at, new Date(START + 5 + HOUR).toISOString());
  assert.equal(entry?.wallAt, new Date(START + 5).toISOString());
});

test('an engine on a clock of its own is read apart from the wall clock', () => {
  const clock = countingClock();
  const wall = countingClock();
  wall.at = START - HOUR;
  const engine = createReplayEngine({ cassette: createTinyCassette(), secret: 'test', clock });
  const journal = createJournal();
  const session = createReplaySession({ engine, journal, wallClock: wall });
  clock.reads = 0;
  session.resolve(request);
  assert.deepEqual([clock.reads, wall.reads], [1, 1]);
  const [entry] = journal.entries();
  assert.equal(entry?.at, new Date(START).toISOString());
  assert.equal(entry?.wallAt, new Date(START - HOUR).toISOString());
});
