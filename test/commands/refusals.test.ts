import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, startCliServer, type CliServer } from '../helpers/run-cli.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

/** A loopback port nothing listens on: bound, then closed. */
async function findClosedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('no silent surprises: refused, one line, exit 2, nothing done', { concurrency: true }, () => {
  let replay: CliServer;
  let dir: string;
  let closedPort: number;
  before(async () => {
    replay = await startCliServer(['replay', '--port', '0', '--quiet']);
    dir = await mkdtemp(join(tmpdir(), 'aemm-refusals-'));
    closedPort = await findClosedPort();
  });
  after(async () => {
    await replay.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const cases: Array<[string, () => string[], RegExp]> = [
    [
      'a flag of another control verb (spot --by)',
      () => ['control', 'spot', '--by', '2m', '--url', replay.url],
      /^Error: --by does not apply to "aemm control spot" \(it is for advance\); spot takes --action, --time, --delay, --at\. Drop it\.$/m,
    ],
    [
      'a flag for no verb of status (--kind)',
      () => ['control', 'status', '--kind', 'spot', '--url', replay.url],
      /^Error: --kind does not apply to "aemm control status" \(it is for clear\); status takes no flags besides --url\. Drop it\.$/m,
    ],
    [
      'a trigger on advance (--delay)',
      () => ['control', 'advance', '--by', '1m', '--delay', '2m', '--url', replay.url],
      /^Error: --delay does not apply to "aemm control advance" \(it is for spot, rebalance, event, asg\)/,
    ],
    [
      '--mode on fault',
      () => ['control', 'fault', '--path', 'spot/*', '--mode', 'off', '--url', replay.url],
      /^Error: --mode does not apply to "aemm control fault" \(it is for tags, imdsv2\)/,
    ],
    [
      'an empty --spot-delay',
      () => ['replay', '--port', '0', '--spot', 'stop', '--spot-delay', ''],
      /^Error: --spot-delay "" is empty\. Give it a value, or leave it out for the default\.$/m,
    ],
    ['an empty --tags', () => ['replay', '--port', '0', '--tags', ''], /^Error: --tags "" is empty\./],
    ['an empty cassette argument', () => ['replay', '', '--port', '0'], /^Error: CASSETTE "" is empty\./],
    ['an empty --delay on control', () => ['control', 'spot', '--delay', '', '--url', replay.url], /^Error: --delay "" is empty\./],
    ['an empty --output on record', () => ['record', '--crawl', '-o', '', '--upstream', replay.url], /^Error: --output "" is empty\./],
    ['an empty --ignore on diff', () => ['diff', 'default', 'm7i-large', '--ignore', ''], /^Error: --ignore "" is empty\./],
    [
      'record --proxy with an unreachable upstream',
      () => ['record', '--proxy', '-o', join(dir, 'never.json'), '--upstream', `http://127.0.0.1:${closedPort}`, '--port', '0'],
      /^Error: Cannot reach upstream http:\/\/127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)(?: \(\d attempts?\))?\. Check --upstream/,
    ],
  ];
  for (const [name, args, message] of cases) {
    test(name, async () => {
      const result = await runCli(args());
      assert.equal(result.code, 2, result.stdout + result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
      assert.doesNotMatch(result.stdout, /listening|aemm replay serving/);
    });
  }

  test('a refused control call changes nothing on the server', async () => {
    await runCli(['control', 'spot', '--by', '2m', '--url', replay.url]);
    const status = JSON.parse((await runCli(['control', 'status', '--json', '--url', replay.url])).stdout) as {
      mocks: unknown[];
      offsetMs: number;
    };
    assert.deepEqual(status.mocks, []);
    assert.equal(status.offsetMs, 0);
  });

  test('record --proxy with an unreachable upstream writes no file', async () => {
    const output = join(dir, 'unreachable.json');
    await runCli(['record', '--proxy', '-o', output, '--upstream', `http://127.0.0.1:${closedPort}`, '--port', '0']);
    assert.equal(existsSync(output), false);
  });
});

describe('an incomplete cassette says so', { concurrency: true }, () => {
  let dir: string;
  const incomplete = (value: unknown): string => join(dir, `${typeof value === 'boolean' ? 'stopped' : 'missing'}.json`);
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aemm-incomplete-'));
    for (const value of [true, ['/latest/meta-data/ami-id', '/latest/meta-data/hostname', '/latest/meta-data/mac', '/latest/user-data']]) {
      const cassette = createTinyCassette();
      cassette.meta.incomplete = value;
      await writeFile(incomplete(value), JSON.stringify(cassette));
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('aemm inspect shows "complete no" with the missing paths', async () => {
    const result = await runCli(['inspect', incomplete([])]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /complete +no: 4 paths could not be recorded \(meta\.incomplete\): \/latest\/meta-data\/ami-id, \/latest\/meta-data\/hostname, \/latest\/meta-data\/mac, and 1 more$/m,
    );
    assert.match((await runCli(['inspect', 'default'])).stdout, /complete +yes$/m);
  });

  test('aemm inspect of a recording that stopped early (meta.incomplete: true)', async () => {
    assert.match(
      (await runCli(['inspect', incomplete(true)])).stdout,
      /complete +no: the recording stopped before it was whole \(meta\.incomplete\)$/m,
    );
  });

  test('the replay banner warns, and --json carries meta.incomplete', async () => {
    const server = await startCliServer(['replay', incomplete(true), '--port', '0']);
    const { stdout } = await server.stop();
    assert.match(stdout, /warning +incomplete recording: the recording stopped before it was whole \(meta\.incomplete\)/);
    const json = await startCliServer(['replay', incomplete([]), '--port', '0', '--json']);
    const ready = JSON.parse(json.output().split('\n')[0]!) as { incomplete: unknown };
    await json.stop();
    assert.equal((ready.incomplete as string[]).length, 4);
  });
});
