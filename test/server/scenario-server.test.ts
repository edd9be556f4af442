import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { UsageError } from '../../src/core/errors.js';
import { parseScenario, ScenarioError } from '../../src/core/scenarios/parse-scenario.js';
import { startServer } from '../../src/server/start-server.js';
import { send } from '../helpers/http.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

const T = Date.parse('2026-11-26T10:30:00Z');
const dir = mkdtempSync(join(tmpdir(), 'aemm-scenario-server-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The error code a request gets from a server that is not answering (ECONNREFUSED, ECONNRESET, …). */
async function failure(url: string, path: string): Promise<string> {
  try {
    const response = await send(url, path);
    return `answered ${response.status}`;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? String(error);
  }
}

describe('replay server with a scenario', () => {
  test('refuses connections from the step that takes the instance away; journal file and ready file follow the run', async () => {
    const journal = join(dir, 'refused.ndjson');
    const readyFile = join(dir, 'refused.ready');
    const server = await startServer({
      cassette: createTinyCassette(),
      port: 0,
      clock: () => T,
      scenario: 'spot-interruption',
      journal,
      readyFile,
    });
    try {
      assert.deepEqual(JSON.parse(readFileSync(readyFile, 'utf8')), {
        url: server.url,
        port: server.port,
        pid: process.pid,
        scenario: 'spot-interruption',
      });
      assert.equal((await send(server.url, '/__aemm/ready')).status, 200);
      assert.equal((await send(server.url, '/latest/meta-data/spot/instance-action')).status, 404);
      server.control.advance('2m');
      const notice = await send(server.url, '/latest/meta-data/spot/instance-action', { headers: { 'x-aws-ec2-metadata-token': 'bogus' } });
      assert.equal(notice.status, 401);
      assert.equal(
        (await send(server.url, '/latest/meta-data/spot/instance-action')).text,
        '{"action": "terminate", "time": "2026-11-26T10:34:00Z"}',
      );
      server.control.advance('2m');
      assert.equal(await failure(server.url, '/latest/meta-data/ami-id'), 'ECONNREFUSED');
      assert.equal(await failure(server.url, '/__aemm/status'), 'ECONNREFUSED');
      assert.equal(server.control.status().scenario!.instance, 'refused');
    } finally {
      await server.close();
    }
    assert.equal(existsSync(readyFile), false);
    const lines = readFileSync(journal, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((line) => [line.seq, line.path, line.status, line.token]),
      [
        [1, '/latest/meta-data/spot/instance-action', 404, 'absent'],
        [2, '/latest/meta-data/spot/instance-action', 401, 'invalid'],
        [3, '/latest/meta-data/spot/instance-action', 200, 'absent'],
      ],
    );
    assert.equal(lines[2]!.at, '2026-11-26T10:32:00.000Z');
    assert.equal(lines[2]!.step, 'interruption-notice');
    assert.equal(lines[2]!.layer, 'spot');
    assert.equal(lines[2]!.clientAddress, '127.0.0.1');
  });

  test('a dropped instance closes connections unanswered while the control API, journal and readiness still answer', async () => {
    const scenario = {
      format: 'aemm-scenario/1',
      name: 'drop',
      steps: [
        { name: 'gone', on: { control: 'pull-the-plug' }, instance: 'dropped' },
        { name: 'back', on: { control: 'plug-in' }, instance: 'up' },
      ],
    };
    const server = await startServer({
      cassette: createTinyCassette(),
      port: 0,
      clock: () => T,
      scenario: parseScenario(scenario, 'drop.json'),
    });
    try {
      assert.equal((await send(server.url, '/latest/meta-data/ami-id')).text, 'ami-0123');
      const signalled = await send(server.url, '/__aemm/signal', {
        method: 'POST',
        headers: { 'x-aemm-control': '1', 'content-type': 'application/json' },
        body: '{"name": "pull-the-plug"}',
      });
      assert.equal(signalled.status, 200);
      assert.equal((JSON.parse(signalled.text) as { scenario: { instance: string } }).scenario.instance, 'dropped');
      assert.equal(await failure(server.url, '/latest/meta-data/ami-id'), 'ECONNRESET');
      assert.equal((await send(server.url, '/__aemm/ready')).status, 200);
      const wrong = await send(server.url, '/__aemm/signal', {
        method: 'POST',
        headers: { 'x-aemm-control': '1', 'content-type': 'application/json' },
        body: '{"name": "pull-the-plug"}',
      });
      assert.equal(wrong.status, 400);
      assert.match(wrong.text, /not waiting for \\"pull-the-plug\\": its next step \\"back\\" waits for control call \\"plug-in\\"/);
      const page = JSON.parse((await send(server.url, '/__aemm/journal?path=ami-id&since=1')).text) as {
        total: number;
        entries: { seq: number; abort?: string; step?: string }[];
      };
      assert.deepEqual(
        page.entries.map((entry) => [entry.seq, entry.abort, entry.step]),
        [[2, 'drop', 'gone']],
      );
      assert.equal(page.total, 2);
      server.control.signal('plug-in');
      assert.equal((await send(server.url, '/latest/meta-data/ami-id')).text, 'ami-0123');
    } finally {
      await server.close();
    }
  });

  test('a scenario that starts refused listens on the same port once the instance is up, and only then is ready', async () => {
    let wall = T;
    const readyFile = join(dir, 'early.ready');
    const server = await startServer({ cassette: createTinyCassette(), port: 0, clock: () => wall, scenario: 'early-boot', readyFile });
    try {
      assert.equal(await failure(server.url, '/__aemm/ready'), 'ECONNREFUSED');
      assert.equal(existsSync(readyFile), false);
      wall = T + 2000;
      server.control.status();
      // The listener comes back asynchronously; the ready file says when.
      for (let i = 0; i < 100 && !existsSync(readyFile); i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.ok(existsSync(readyFile));
      assert.equal((await send(server.url, '/latest/meta-data/ami-id')).status, 401);
      wall = T + 10_000;
      assert.equal((await send(server.url, '/latest/meta-data/ami-id')).text, 'ami-0123');
    } finally {
      await server.close();
    }
  });

  test('--speed runs the replay clock faster, and timed steps fire from a timer without any request', async () => {
    const server = await startServer({
      cassette: createTinyCassette(),
      port: 0,
      speed: 1000,
      scenario: parseScenario(
        { format: 'aemm-scenario/1', name: 'soon', steps: [{ name: 'gone', at: '30s', instance: 'refused' }] },
        'soon.json',
      ),
    });
    try {
      // 30 s of replay time is 30 ms of wall time at 1000×. Nothing reads the clock meanwhile (a
      // status read or a request would fire the step itself), so only the timer can close the listener.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(await failure(server.url, '/latest/meta-data/ami-id'), 'ECONNREFUSED');
      const { scenario, speed } = server.control.status();
      assert.equal(speed, 1000);
      // The step fired at its own instant, however late the timer ran.
      assert.equal(Date.parse(scenario!.steps[0]!.firedAt!) - Date.parse(scenario!.startedAt), 30_000);
    } finally {
      await server.close();
    }
  });

  test('bad scenario, speed and journal options fail before anything listens', async () => {
    await assert.rejects(
      startServer({ port: 0, speed: 0 }),
      (error: unknown) => error instanceof UsageError && /speed 0 is not a speed/.test(error.message),
    );
    await assert.rejects(startServer({ port: 0, speed: -2 }), UsageError);
    await assert.rejects(
      startServer({ port: 0, scenario: 'no-such-scenario' }),
      (error: unknown) => error instanceof ScenarioError && /no built-in scenario has that name/.test(error.message),
    );
    await assert.rejects(
      startServer({ port: 0, journal: join(dir, 'missing', 'journal.ndjson') }),
      (error: unknown) => error instanceof UsageError && /its folder does not exist/.test(error.message),
    );
    await assert.rejects(startServer({ port: 0, readyFile: join(dir, 'missing', 'ready') }), UsageError);
  });
});
