import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createJournal, JournalAssertionError, toJournalLine, type JournalRecord } from '../../../src/core/journal/create-journal.js';
import { UsageError } from '../../../src/core/errors.js';

const T = Date.parse('2026-11-26T10:30:00Z');
const record = (path: string, at: number, extra: Partial<JournalRecord> = {}): JournalRecord => ({
  at,
  wallAt: at,
  method: 'GET',
  path,
  token: 'absent',
  status: 200,
  ...extra,
});

describe('request journal', () => {
  test('keeps the latest `size` entries in order while the sequence keeps counting', () => {
    const journal = createJournal({ size: 3 });
    for (let i = 0; i < 5; i++) journal.record(record(`/latest/meta-data/p${i}`, T + i));
    assert.equal(journal.total, 5);
    assert.deepEqual(
      journal.entries().map((entry) => [entry.seq, entry.path]),
      [
        [3, '/latest/meta-data/p2'],
        [4, '/latest/meta-data/p3'],
        [5, '/latest/meta-data/p4'],
      ],
    );
    assert.equal(journal.entries()[0]!.at, new Date(T + 2).toISOString());
  });

  test('filters by path glob, method, token and since (a sequence number or a replay time)', () => {
    const journal = createJournal();
    journal.record(record('/latest/api/token', T, { method: 'PUT', ttl: '21600' }));
    journal.record(record('//latest/meta-data/spot/instance-action', T + 1000, { token: 'valid' }));
    journal.record(record('/latest/meta-data/spot/instance-action?x=1', T + 2000, { token: 'invalid', status: 401 }));
    journal.record(record('/latest/meta-data/ami-id', T + 3000));
    assert.deepEqual(
      journal.entries({ path: 'spot/instance-action' }).map((entry) => entry.seq),
      [2, 3],
    );
    assert.deepEqual(
      journal.entries({ method: 'put' }).map((entry) => entry.seq),
      [1],
    );
    assert.deepEqual(
      journal.entries({ token: 'present' }).map((entry) => entry.seq),
      [2, 3],
    );
    assert.deepEqual(
      journal.entries({ since: 2 }).map((entry) => entry.seq),
      [3, 4],
    );
    assert.deepEqual(
      journal.entries({ since: '3' }).map((entry) => entry.seq),
      [4],
    );
    assert.deepEqual(
      journal.entries({ since: new Date(T + 2000).toISOString() }).map((entry) => entry.seq),
      [3, 4],
    );
    assert.throws(() => journal.entries({ since: 'yesterday' }), UsageError);
  });

  test('waitFor resolves once enough requests matched, counting those already seen', async () => {
    const journal = createJournal();
    journal.record(record('/latest/meta-data/spot/instance-action', T));
    const waiting = journal.waitFor({ path: 'spot/instance-action', count: 3 });
    journal.record(record('/latest/meta-data/ami-id', T + 1));
    journal.record(record('/latest/meta-data/spot/instance-action', T + 2));
    journal.record(record('/latest/meta-data/spot/instance-action', T + 3));
    assert.deepEqual(
      (await waiting).map((entry) => entry.seq),
      [1, 3, 4],
    );
  });

  test('waitFor rejects when its signal aborts, saying what it saw', async () => {
    const journal = createJournal();
    journal.record(record('/latest/meta-data/spot/instance-action', T));
    const controller = new AbortController();
    const waiting = journal.waitFor({ path: 'spot/instance-action', count: 2, signal: controller.signal });
    controller.abort();
    await assert.rejects(waiting, (error: unknown) => error instanceof JournalAssertionError && /saw 1\./.test(error.message));
  });

  test('expectPolled passes with a valid token and says what was seen when it fails', () => {
    const journal = createJournal();
    journal.record(record('/latest/meta-data/spot/instance-action', T, { token: 'absent' }));
    assert.equal(journal.expectPolled('spot/instance-action').length, 1);
    assert.throws(
      () => journal.expectPolled('spot/instance-action', { withToken: true }),
      /with a valid token at least 1 time, but it was requested 1 time \(tokens: absent\)/,
    );
    journal.record(record('/latest/meta-data/spot/instance-action', T, { token: 'valid' }));
    assert.equal(journal.expectPolled('spot/instance-action', { withToken: true }).length, 1);
    assert.throws(() => journal.expectPolled('events/recommendations/rebalance'), /it was never requested/);
  });

  test('an NDJSON line parses back to the entry readers get, whatever the path holds', () => {
    const journal = createJournal();
    const lines: string[] = [];
    journal.watch((kept, seq) => lines.push(toJournalLine(kept, seq)));
    journal.record(
      record('/latest/meta-data/"quoted"\\/\u2028ü?x=\n', T, {
        clientAddress: '::ffff:127.0.0.1',
        ttl: '60',
        token: 'valid',
        layer: 'spot',
        step: 'notice',
      }),
    );
    journal.record({
      ...record('/latest/api/token', T + 1, { method: 'PUT', status: 0, abort: 'hang' }),
      clientAddress: undefined,
      ttl: undefined,
    });
    assert.deepEqual(
      lines.map((line) => JSON.parse(line) as unknown),
      JSON.parse(JSON.stringify(journal.entries())),
    );
    assert.ok(lines.every((line) => !line.includes('\n')));
  });

  test('rejects a size that is not a count', () => {
    assert.throws(() => createJournal({ size: 0 }), UsageError);
    assert.throws(() => createJournal({ size: 1.5 }), UsageError);
  });
});
