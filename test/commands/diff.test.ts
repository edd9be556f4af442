import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startServer, type ImdsServer } from '../../src/server/start-server.js';
import { runBin, runCli } from '../helpers/run-cli.js';

// Commands run in this process; the colour tests run the built bin, since chalk picks its level once per process.
const M7I = 'recordings/m7i-large.json';
const M7G = 'recordings/m7g-large.json';
const P5 = 'recordings/p5-48xlarge.json';
const DEFAULT = 'recordings/default.json';
const ANSI = /\u001b\[/;

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('equal cassettes exit 0 and say so', async () => {
  const result = await runCli(['diff', M7I, M7I]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^no differences$/m);
  assert.equal(result.stderr, '');
});

test('different cassettes exit 1 and print the tree, plain when piped', async () => {
  const result = await runBin(['diff', M7I, M7G], { NO_COLOR: undefined, FORCE_COLOR: undefined });
  assert.equal(result.code, 1, result.stderr);
  assert.match(result.stdout, /^--- recordings\/m7i-large\.json {2}\(m7i\.large, eu-west-1\)$/m);
  assert.match(result.stdout, /^ {8}~ architecture: "x86_64" → "arm64"$/m);
  assert.match(result.stdout, /^0 added, 0 removed, 4 changed in 4 categories$/m);
  assert.doesNotMatch(result.stdout, ANSI);
});

test('colour comes with FORCE_COLOR and goes with NO_COLOR', async () => {
  assert.match((await runBin(['diff', M7I, M7G], { FORCE_COLOR: '1', NO_COLOR: undefined })).stdout, ANSI);
  assert.doesNotMatch((await runBin(['diff', M7I, M7G], { FORCE_COLOR: '1', NO_COLOR: '1' })).stdout, ANSI);
});

test('--stat prints one line', async () => {
  const result = await runCli(['diff', M7I, P5, '--stat']);
  assert.equal(result.code, 1);
  assert.match(result.stdout, /^\d+ added, \d+ removed, \d+ changed in \d+ categories\n$/);
});

test('--json prints the documented schema and keeps the exit code', async () => {
  const result = await runCli(['diff', M7I, M7G, '--json']);
  assert.equal(result.code, 1, result.stderr);
  const report = JSON.parse(result.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(report), ['format', 'a', 'b', 'normalised', 'ignore', 'equal', 'totals', 'categories', 'changes']);
  assert.equal(report['format'], 'aemm-diff/1');
  assert.deepEqual(report['a'], {
    source: M7I,
    instanceType: 'm7i.large',
    region: 'eu-west-1',
    recordedAt: '2026-03-02T09:40:11Z',
    entries: 100,
  });
  assert.equal(report['normalised'], true);
  assert.equal(report['equal'], false);
  assert.deepEqual(report['totals'], { added: 0, removed: 0, changed: 4, categories: 4 });
  const changes = report['changes'] as Array<Record<string, unknown>>;
  assert.deepEqual(Object.keys(changes[0]!), ['kind', 'path', 'category', 'pathA', 'pathB', 'details']);
  assert.deepEqual(changes.find((change) => change['path'] === '/latest/meta-data/instance-type')?.['details'], [
    { type: 'value', before: 'm7i.large', after: 'm7g.large' },
  ]);
  const equal = await runCli(['diff', M7I, M7I, '--json']);
  assert.equal(equal.code, 0);
  assert.equal((JSON.parse(equal.stdout) as { equal: boolean }).equal, true);
});

test('--raw shows the MAC-keyed paths that normalisation lines up', async () => {
  const normal = JSON.parse((await runCli(['diff', M7I, M7G, '--json'])).stdout) as { changes: Array<{ category: string }> };
  assert.ok(normal.changes.every((change) => change.category !== 'network'));
  const raw = JSON.parse((await runCli(['diff', M7I, M7G, '--json', '--raw'])).stdout) as {
    normalised: boolean;
    changes: Array<{ path: string }>;
  };
  assert.equal(raw.normalised, false);
  assert.ok(raw.changes.some((change) => change.path.startsWith('/latest/meta-data/network/interfaces/macs/06:3a:9f:41:d2:7b/')));
});

test('--ignore is repeatable and leaves those paths out', async () => {
  const result = await runCli([
    'diff',
    M7I,
    M7G,
    '--ignore',
    'dynamic/**',
    '--ignore',
    '/latest/meta-data/ami-id',
    '--ignore',
    'placement',
    '--json',
  ]);
  const report = JSON.parse(result.stdout) as { ignore: string[]; changes: Array<{ path: string }> };
  assert.deepEqual(report.ignore, ['dynamic/**', '/latest/meta-data/ami-id', 'placement']);
  assert.deepEqual(
    report.changes.map((change) => change.path),
    ['/latest/meta-data/instance-type'],
  );
  const none = await runCli([
    'diff',
    M7I,
    M7G,
    '--ignore',
    'dynamic',
    '--ignore',
    'ami-id',
    '--ignore',
    'instance-type',
    '--ignore',
    'placement',
  ]);
  assert.equal(none.code, 0);
  const between = await runCli(['diff', M7I, '--ignore', 'placement', M7G, '--stat']);
  assert.equal(between.stdout, '0 added, 0 removed, 3 changed in 3 categories\n', 'a glob does not swallow the next argument');
});

test('mistakes exit 2 with one line and no stack', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['diff', M7I, 'recordings/nope.json'], /^Error: Failed to load cassette "recordings\/nope\.json": the file does not exist\./],
    [['diff', M7I], /^Error: aemm diff needs two cassettes/],
    [['diff', M7I, M7G, '--live', 'http://127.0.0.1:9'], /^Error: --live compares one cassette with a live IMDS/],
    [['diff', M7I, M7G, '--ignore', ''], /^Error: --ignore "" is empty/],
    [['diff', M7I, '--live', 'ftp://127.0.0.1'], /^Error: .*ftp:\/\/127\.0\.0\.1/],
    [['diff', M7I, M7G, '--bogus'], /^Error: /],
  ];
  for (const [args, message] of cases) {
    const result = await runCli(args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.equal(result.stdout, '');
  }
});

describe('--live against a replay server on loopback', () => {
  let server: ImdsServer;
  before(async () => {
    server = await startServer({ cassette: DEFAULT, port: 0 });
  });
  after(() => server.close());

  test('a cassette and its own replay are equal once credentials are compared by kind', async () => {
    const result = await runCli(['diff', DEFAULT, '--live', server.url]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, new RegExp(`^\\+\\+\\+ ${server.url.replaceAll('.', '\\.')} {2}\\(m5\\.large, us-east-1\\)$`, 'm'));
  });

  test('--raw shows the drift: replayed credentials are fresh and re-redacted', async () => {
    const result = await runCli(['diff', DEFAULT, '--live', server.url, '--raw', '--json']);
    assert.equal(result.code, 1);
    const report = JSON.parse(result.stdout) as { b: { source: string; errors: unknown[] }; changes: Array<{ category: string }> };
    assert.equal(report.b.source, server.url);
    assert.deepEqual(report.b.errors, []);
    assert.ok(report.changes.some((change) => change.category === 'iam'));
  });

  test('another instance differs from the live one', async () => {
    const result = await runCli(['diff', M7I, '--live', server.url, '--stat']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /changed in \d+ categories/);
  });

  test('an endpoint that does not answer is an error, exit 2', async () => {
    const result = await runCli(['diff', DEFAULT, '--live', `http://127.0.0.1:${await closedPort()}`]);
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /^Error: .*127\.0\.0\.1/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });
});
