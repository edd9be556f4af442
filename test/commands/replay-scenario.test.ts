import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { send } from '../helpers/http.js';
import { BIN, runCli, startCliServer } from '../helpers/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'aemm-replay-scenario-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const scenarioFile = (name: string, steps: unknown[]): string => {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ format: 'aemm-scenario/1', name, steps }));
  return path;
};

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('aemm replay --scenario, --speed, --journal, --ready-file', () => {
  const mistakes: [string, () => string[], RegExp][] = [
    [
      'a scenario file that does not match the schema',
      () => ['--scenario', scenarioFile('no-steps', [])],
      /^Error: Failed to load scenario ".*no-steps\.json": it has no steps\. Add "steps"/,
    ],
    [
      'a step that refers to an unknown layer',
      () => ['--scenario', scenarioFile('unknown-layer', [{ name: 'notice', at: '1m', apply: { spoot: 'terminate' } }])],
      /^Error: Failed to load scenario ".*unknown-layer\.json": step "notice" \(#1\): apply refers to unknown layer "spoot"\. Use one of: spot,/,
    ],
    [
      'a trigger that can never fire',
      () => [
        '--scenario',
        scenarioFile('never', [
          { name: 'gone', at: '1m', instance: 'refused' },
          { name: 'wait', on: { requests: { path: 'spot/instance-action', count: 3 } }, instance: 'up' },
        ]),
      ],
      /^Error: Failed to load scenario ".*never\.json": step "wait" \(#2\): waits for requests, which can never come: the instance is gone since step "gone"\./,
    ],
    [
      'an unknown built-in scenario',
      () => ['--scenario', 'spot-interuption'],
      /^Error: Failed to load scenario "spot-interuption": the file does not exist and no built-in scenario has that name\. Use a path to a scenario file or one of: spot-interruption,/,
    ],
    ['--speed 0', () => ['--speed', '0'], /^Error: --speed 0 is not a speed\. Use a number above 0/],
    ['a negative --speed', () => ['--speed', '-5'], /^Error: --speed "-5" is not a speed\./],
    [
      'a journal path that cannot be written',
      () => ['--journal', join(dir, 'no-such-folder', 'journal.ndjson')],
      /^Error: Cannot write the journal to ".*journal\.ndjson" \(its folder does not exist\)\. Give --journal a file in a folder you can write\./,
    ],
  ];
  for (const [name, args, message] of mistakes) {
    test(`${name}: one line, exit 2, before the server starts`, async () => {
      const result = await runCli(['replay', '--port', '0', ...args()]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.doesNotMatch(result.stdout, /aemm replay serving/);
    });
  }

  test('the banner and aemm control status show the replay time, the speed and the scenario; signal and journal work', async () => {
    const path = scenarioFile('signalled', [{ name: 'notice', on: { control: 'go' }, apply: { spot: 'stop' } }]);
    const server = await startCliServer(['replay', '--port', '0', '--quiet', '--scenario', path, '--speed', '2']);
    try {
      assert.match(server.output(), /clock +\d{4}-\d\d-\d\dT[\d:.]+Z replay time, 2× the wall clock/);
      assert.match(server.output(), /scenario +signalled\n +notice on control call "go"/);
      assert.equal((await send(server.url, '/latest/meta-data/spot/instance-action')).status, 404);
      const signalled = await runCli(['control', 'signal', '--name', 'go', '--url', server.url]);
      assert.equal(signalled.code, 0, signalled.stderr);
      assert.match(signalled.stdout, /at 2× speed/);
      assert.match(signalled.stdout, /step +notice fired \d{4}-/);
      assert.equal((await send(server.url, '/latest/meta-data/spot/instance-action')).status, 200);
      const journal = await runCli(['control', 'journal', '--path', 'spot/instance-action', '--url', server.url]);
      assert.equal(journal.code, 0, journal.stderr);
      const lines = journal.stdout.trim().split('\n');
      assert.equal(lines.length, 2);
      assert.match(lines[0]!, /^#1 \S+ GET +\/latest\/meta-data\/spot\/instance-action 404 token absent$/);
      assert.match(lines[1]!, /^#2 \S+ GET +\/latest\/meta-data\/spot\/instance-action 200 token absent spot@notice$/);
      const json = await runCli(['control', 'journal', '--since', '1', '--json', '--url', server.url]);
      assert.deepEqual(
        (JSON.parse(json.stdout) as { entries: { seq: number }[] }).entries.map((entry) => entry.seq),
        [2],
      );
      const wrong = await runCli(['control', 'signal', '--name', 'go', '--url', server.url]);
      assert.equal(wrong.code, 2);
      assert.match(wrong.stderr, /^Error: Scenario "signalled" has no step left to trigger/);
    } finally {
      await server.stop();
    }
  });

  test('a client started before the server waits on the ready file and never sees a refused connection', async () => {
    const port = await freePort();
    const readyFile = join(dir, 'aemm.ready');
    const refused: string[] = [];
    // The client: waits for the ready file, then reads readiness and metadata.
    const client = (async () => {
      while (!existsSync(readyFile)) await new Promise((resolve) => setTimeout(resolve, 5));
      const { url } = JSON.parse(readFileSync(readyFile, 'utf8')) as { url: string };
      const results: number[] = [];
      for (const path of ['/__aemm/ready', '/latest/meta-data/instance-id']) {
        try {
          results.push((await send(url, path)).status);
        } catch (error) {
          refused.push((error as NodeJS.ErrnoException).code ?? String(error));
        }
      }
      return { url, results };
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const child = spawn(process.execPath, [BIN, 'replay', '--port', String(port), '--quiet', '--ready-file', readyFile], {
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.on('close', resolve));
    try {
      const { url, results } = await client;
      assert.equal(url, `http://127.0.0.1:${port}`);
      assert.deepEqual(results, [200, 200]);
      assert.deepEqual(refused, []);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    assert.equal(existsSync(readyFile), false, 'the ready file is removed on exit');
  });
});
