import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { send } from '../helpers/http.js';
import { runCli, startBinServer, startCliServer } from '../helpers/run-cli.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

describe('aemm replay', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aemm-replay-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  // The built bin itself, with a real signal; the other tests run the command in this process.
  test('the built bin serves the embedded recording, logs requests, and exits 0 on SIGINT', async () => {
    const server = await startBinServer(['replay', '--port', '0']);
    const response = await send(server.url, '/latest/meta-data/instance-id');
    assert.equal(response.text, 'i-1234567890abcdef0');
    await send(server.url, '/latest/meta-data/nope');
    const result = await server.stop('SIGINT');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /aemm replay serving default\.json \(embedded\) \(m5\.large, us-east-1, synthetic; \d+ entries\)/);
    assert.match(result.stdout, /tokens +optional/);
    assert.match(result.stdout, /GET +\/latest\/meta-data\/instance-id 200 v1 \d+\.\dms/);
    assert.match(result.stdout, /GET +\/latest\/meta-data\/nope 404 v1/);
    assert.match(result.stdout, /stopped after 2 requests/);
    assert.doesNotMatch(result.stdout, /\u001b\[/, 'NO_COLOR means no escape codes');
  });

  test('serves a named cassette with --imdsv2 and --quiet, and exits 0 on SIGTERM', async () => {
    const path = join(dir, 'tiny.json');
    await writeFile(path, JSON.stringify(createTinyCassette()));
    const server = await startCliServer(['replay', path, '--port', '0', '--imdsv2', '--quiet']);
    assert.equal((await send(server.url, '/latest/meta-data/ami-id')).status, 401);
    const result = await server.stop('SIGTERM');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /tokens +required/);
    assert.doesNotMatch(result.stdout, /GET +\/latest/);
  });

  test('warns when listening beyond loopback', async () => {
    const server = await startCliServer(['replay', '--port', '0', '--hostname', '0.0.0.0', '--quiet']);
    const result = await server.stop();
    assert.match(result.stderr, /Warning: listening on 0\.0\.0\.0, beyond loopback/);
  });

  const mistakes: Array<[string, string[], RegExp]> = [
    [
      'a missing cassette',
      ['replay', 'missing.json'],
      /^Error: Failed to load cassette "missing\.json": the file does not exist\. Give a cassette path, or the name of a shipped recording \(aemm-defaults, default, .*\) from \/.*\/recordings; "aemm recordings" lists them\.$/m,
    ],
    ['a bad port', ['replay', '--port', 'http'], /^Error: --port "http" is not a TCP port\. Use a whole number from 0 to 65535/],
    ['a port out of range', ['replay', '--port', '70000'], /^Error: --port "70000" is not a TCP port/],
    ['an unknown flag', ['replay', '--spot-delai', '5'], /^Error: Nonexistent flag: --spot-delai\. See "aemm replay --help"\./],
  ];
  for (const [name, args, message] of mistakes) {
    test(`${name} is one line on stderr and exit 2`, async () => {
      const result = await runCli(args);
      assert.equal(result.code, 2);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    });
  }

  test('a broken cassette file is one line and exit 2', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{"format":"aemm-cassette/1","meta":{},"entries":{}}');
    const result = await runCli(['replay', path]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^Error: Failed to load cassette ".*broken\.json": meta\.recordedAt is missing or not a string\. Fix or re-record it\.\n$/,
    );
  });

  test('a port in use is one line and exit 2', async () => {
    const first = await startCliServer(['replay', '--port', '0', '--quiet']);
    try {
      const port = new URL(first.url).port;
      const result = await runCli(['replay', '--port', port]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, new RegExp(`^Error: Port ${port} on 127\\.0\\.0\\.1 is already in use\\.`));
    } finally {
      await first.stop();
    }
  });
});
