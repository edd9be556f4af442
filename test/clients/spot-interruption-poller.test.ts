import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setupServer } from 'msw/node';
import { defaultCassette, imdsHandlers } from '../../src/msw/index.js';
import { pollLikeNth, type Poll } from '../helpers/poll-like-nth.js';
import { startCliServer } from '../helpers/run-cli.js';

const S = 1000;
const M = 60 * S;
const POLL_MS = 2 * S;
const dir = mkdtempSync(join(tmpdir(), 'aemm-poller-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface JournalLine {
  seq: number;
  at: string;
  method: string;
  path: string;
  token: string;
  ttl?: string;
  status: number;
}

/** The first poll that saw something, by what it saw. */
function firsts(polls: Poll[]) {
  return {
    rebalance: polls.findIndex((poll) => poll.rebalance),
    notice: polls.findIndex((poll) => poll.notice !== undefined),
    failed: polls.findIndex((poll) => poll.failed !== undefined),
  };
}

/** What the scenario promises, checked against the journal's replay times: each answer fits the moment it was given. */
function checkJournal(lines: JournalLine[], start: number): void {
  const offset = (line: JournalLine): number => Date.parse(line.at) - start;
  const rebalance = lines.filter((line) => line.path.endsWith('/events/recommendations/rebalance'));
  const notice = lines.filter((line) => line.path.endsWith('/spot/instance-action'));
  assert.ok(rebalance.length > 0 && notice.length > 0);
  const answered = (line: JournalLine): boolean => offset(line) < 4 * M;
  for (const line of rebalance.filter(answered))
    assert.equal(line.status, offset(line) >= 1 * M ? 200 : 404, `rebalance at +${offset(line)} ms`);
  for (const line of notice.filter(answered)) assert.equal(line.status, offset(line) >= 2 * M ? 200 : 404, `notice at +${offset(line)} ms`);
  // Nothing is answered once the instance is gone at 4 min (over HTTP nothing even arrives).
  for (const line of lines.filter((line) => !answered(line))) assert.equal(line.status, 0, `${line.path} answered at +${offset(line)} ms`);
  // The SDK took tokens (a PUT with its TTL) and presented them on every read.
  const puts = lines.filter((line) => line.method === 'PUT' && answered(line));
  assert.ok(puts.length > 0 && puts.every((line) => line.path === '/latest/api/token' && line.ttl === '21600' && line.status === 200));
  assert.ok(
    notice.filter(answered).every((line) => line.token === 'valid'),
    'every notice read carried a valid token',
  );
}

describe('a termination-handler poller against the spot-interruption scenario', () => {
  test('over HTTP: aemm replay --scenario spot-interruption --speed 60, the real MetadataService polling every 2 s', async () => {
    const journal = join(dir, 'journal.ndjson');
    const server = await startCliServer([
      'replay',
      '--port',
      '0',
      '--quiet',
      '--scenario',
      'spot-interruption',
      '--speed',
      '60',
      '--journal',
      journal,
    ]);
    let polls: Poll[];
    let start: number;
    try {
      const status = (await (await fetch(`${server.url}/__aemm/status`)).json()) as { speed: number; scenario: { startedAt: string } };
      assert.equal(status.speed, 60);
      start = Date.parse(status.scenario.startedAt);
      // The poller sleeps 2 s of replay time: 2000 / 60 ms of wall time.
      polls = await pollLikeNth(server.url, {
        now: () => Number.NaN,
        sleep: () => new Promise((resolve) => setTimeout(resolve, POLL_MS / 60)),
      });
    } finally {
      await server.stop();
    }
    const lines = readFileSync(journal, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as JournalLine);
    const { rebalance, notice, failed } = firsts(polls);
    // Each poll sees what its moment shows: none before 1 min, the recommendation from 1 min, the
    // notice from 2 min. The polls come every 2 s of replay time, but the first can come late on a
    // loaded machine (it is a second of wall time per minute), so the order is strict only where
    // the journal shows a poll inside the window.
    const polledWithin = (path: string, from: number, to: number): boolean =>
      lines.some((line) => line.path.endsWith(path) && Date.parse(line.at) - start >= from && Date.parse(line.at) - start < to);
    const beforeRebalance = polledWithin('/events/recommendations/rebalance', 0, 1 * M);
    const beforeNotice = polledWithin('/spot/instance-action', 1 * M, 2 * M);
    assert.ok(
      (beforeRebalance ? rebalance > 0 : rebalance >= 0) && (beforeNotice ? notice > rebalance : notice >= rebalance) && failed > notice,
      `rebalance #${rebalance}, notice #${notice}, failure #${failed} (polls before 1 min: ${beforeRebalance}, between 1 and 2 min: ${beforeNotice})`,
    );
    assert.equal(failed, polls.length - 1);
    // Refused from then on; a poll caught mid-request when the instance went sees its socket hang up.
    assert.match(polls[failed]!.failed!, /ECONNREFUSED|ECONNRESET|socket hang up/);
    assert.deepEqual(JSON.parse(polls[notice]!.notice!), {
      action: 'terminate',
      time: `${new Date(start + 4 * M).toISOString().slice(0, 19)}Z`,
    });
    checkJournal(lines, start);
  });

  test("in-process: the same poller under aemm/msw on the handlers' clock, with no real waiting", async () => {
    let wall = Date.parse('2026-11-26T10:30:00Z');
    const start = wall;
    const endpoint = 'http://127.0.0.1:9';
    const imds = imdsHandlers({ cassette: defaultCassette, scenario: 'spot-interruption', clock: () => wall, baseUrls: [endpoint] });
    const server = setupServer(...imds.handlers);
    server.listen({ onUnhandledRequest: 'error' });
    let polls: Poll[];
    try {
      polls = await pollLikeNth(endpoint, { now: () => imds.engine.now(), sleep: async () => void (wall += POLL_MS) });
    } finally {
      server.close();
    }
    const { rebalance, notice, failed } = firsts(polls);
    // Polls land on exact 2 s steps: the rebalance shows at 1 min, the notice at 2 min, the instance goes at 4 min.
    assert.equal(polls[rebalance]!.at - start, 1 * M);
    assert.equal(polls[notice]!.at - start, 2 * M);
    assert.equal(polls[failed]!.at - start, 4 * M);
    assert.equal(failed, polls.length - 1);
    assert.equal(polls[notice]!.notice, '{"action": "terminate", "time": "2026-11-26T10:34:00Z"}');
    const lines = imds.journal.entries() as JournalLine[];
    checkJournal(lines, start);
    // Every poll before the instance went read the notice path with a valid token.
    assert.equal(imds.journal.expectPolled('/latest/meta-data/spot/instance-action', { withToken: true }).length, (4 * M) / POLL_MS);
    assert.equal((await imds.journal.waitFor({ path: 'events/recommendations/rebalance', token: 'valid', count: 3 })).length, 3);
    await assert.rejects(
      imds.journal.waitFor({ path: 'spot/termination-time', timeoutMs: 5 }),
      /Gave up waiting for 1 request matching \{"path":"spot\/termination-time"\}; saw 0\./,
    );
  });
});
