import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loadCassette } from '../../src/cassette/load-cassette.js';
import type { Cassette } from '../../src/core/cassette.js';
import { send } from '../helpers/http.js';
import { runCli, runCliUntil, startCliServer } from '../helpers/run-cli.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';
import { startFakeUpstream, type FakeUpstream } from '../recorder/fake-upstream.js';

describe('aemm record', () => {
  let dir: string;
  let source: Cassette;
  let upstream: FakeUpstream;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aemm-record-cli-'));
    source = await loadCassette();
    upstream = await startFakeUpstream({ cassette: source });
  });
  after(async () => {
    await upstream.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    upstream.hits.length = 0;
  });

  test('--crawl writes the whole tree and prints one summary line', async () => {
    const output = join(dir, 'crawl.json');
    const result = await runCli(['record', '--crawl', '-o', output, '--upstream', upstream.url, '--rate', '2000']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^Recorded 101 entries from http:\/\/127\.0\.0\.1:\d+ \(m5\.large, us-east-1, IMDSv2\) to .*crawl\.json in \d+\.\d s, 103 requests; redacted 2 paths\.\n$/,
    );
    assert.equal(result.stderr, '', 'no progress line when stderr is not a TTY');
    const cassette = await loadCassette(output);
    assert.deepEqual(Object.keys(cassette.entries), Object.keys(source.entries).sort());
    // No byte of the upstream's secrets, nor of its tokens, reaches the file.
    const text = await readFile(output, 'utf8');
    const secrets = Object.values(source.entries)
      .filter((entry) => entry.body?.includes('"AccessKeyId"'))
      .flatMap((entry) => {
        const doc = JSON.parse(entry.body!) as Record<string, string>;
        return [doc.AccessKeyId!, doc.SecretAccessKey!, doc.Token!];
      });
    assert.equal(secrets.length, 6);
    for (const secret of [...secrets, ...upstream.tokens]) assert.ok(!text.includes(secret), `${secret.slice(0, 8)}… is in the file`);
  });

  test('--json prints the summary object, and --redact replaces whole bodies', async () => {
    const output = join(dir, 'json.json');
    const result = await runCli([
      'record',
      '--crawl',
      '-o',
      output,
      '--upstream',
      upstream.url,
      '--rate',
      '2000',
      '--redact',
      'user-data',
      '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(summary.how, 'crawl');
    assert.equal(summary.written, true);
    assert.equal(summary.entries, 101);
    assert.deepEqual(summary.errors, []);
    assert.ok((summary.redacted as string[]).includes('/latest/user-data'));
    assert.equal((await loadCassette(output)).entries['/latest/user-data']!.body, 'REDACTED');
  });

  describe('when paths keep failing', () => {
    let flaky: FakeUpstream;
    before(async () => {
      flaky = await startFakeUpstream({
        cassette: source,
        intercept: (hit) => (hit.path === '/latest/meta-data/ami-id' ? { status: 503 } : undefined),
      });
    });
    after(() => flaky.close());

    test('exits 1, lists them, and leaves the previous file as it was', async () => {
      const output = join(dir, 'failing.json');
      await writeFile(output, 'previous');
      const result = await runCli([
        'record',
        '--crawl',
        '-o',
        output,
        '--upstream',
        flaky.url,
        '--rate',
        '2000',
        '--timeout',
        '500ms',
        '--retries',
        '1',
      ]);
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        /^Error: could not fetch 1 path from http:\/\/127\.0\.0\.1:\d+; .*failing\.json was not written \(--allow-partial writes what was fetched\):\n {2}\/latest\/meta-data\/ami-id: HTTP 503 \(2 attempts\)\n$/,
      );
      assert.equal(await readFile(output, 'utf8'), 'previous');
    });

    test('--allow-partial writes the rest and names the missing paths in meta.incomplete', async () => {
      const output = join(dir, 'partial.json');
      const result = await runCli([
        'record',
        '--crawl',
        '-o',
        output,
        '--upstream',
        flaky.url,
        '--rate',
        '2000',
        '--retries',
        '0',
        '--allow-partial',
      ]);
      assert.equal(result.code, 1);
      const cassette = await loadCassette(output);
      assert.deepEqual(cassette.meta.incomplete, ['/latest/meta-data/ami-id']);
      assert.equal(Object.keys(cassette.entries).length, 100);
    });
  });

  test('Ctrl-C during a crawl exits 130 and leaves the previous file untouched', async () => {
    const slow = await startFakeUpstream({ cassette: source, delayMs: 30 });
    try {
      const output = join(dir, 'interrupted.json');
      const previous = JSON.stringify(createTinyCassette());
      await writeFile(output, previous);
      const result = await runCliUntil(
        ['record', '--crawl', '-o', output, '--upstream', slow.url, '--concurrency', '1'],
        () => slow.hits.length >= 5,
      );
      assert.equal(result.code, 130, result.stderr);
      assert.match(result.stderr, /Interrupted: .*interrupted\.json was not written \(a previous file there is unchanged\)\./);
      assert.equal(await readFile(output, 'utf8'), previous);
      assert.deepEqual(
        (await readdir(dir)).filter((name) => name.includes('interrupted')),
        ['interrupted.json'],
        'no temp file left',
      );
      assert.ok(slow.hits.length < 20);
    } finally {
      await slow.close();
    }
  });

  test('--proxy records what passes through and writes it on Ctrl-C', async () => {
    const output = join(dir, 'proxy.json');
    const server = await startCliServer(['record', '--proxy', '--port', '0', '-o', output, '--upstream', upstream.url]);
    assert.match(
      server.output(),
      /^aemm record listening on http:\/\/127\.0\.0\.1:\d+ -> http:\/\/127\.0\.0\.1:\d+, writing .*proxy\.json \(mode new\)\. Ctrl-C to stop\.\n/,
    );
    const token = (
      await send(server.url, '/latest/api/token', { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } })
    ).text;
    assert.equal(
      (await send(server.url, '/latest/meta-data/instance-id', { headers: { 'x-aws-ec2-metadata-token': token } })).text,
      'i-1234567890abcdef0',
    );
    const result = await server.stop('SIGINT');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /GET {2}\/latest\/meta-data\/instance-id 200 recorded\n/);
    // The instance-id and the version list, which the proxy asks for itself with the client's token.
    assert.match(result.stdout, /Recorded to .*proxy\.json: 2 entries after 2 requests in \d+\.\d s\.\n$/);
    const text = await readFile(output, 'utf8');
    assert.ok(!text.includes(token));
    assert.deepEqual(Object.keys((await loadCassette(output)).entries), ['/', '/latest/meta-data/instance-id']);
  });

  test('SIGTERM while requests are in flight through --proxy leaves a valid cassette', async () => {
    const slow = await startFakeUpstream({ cassette: source, delayMs: 40 });
    try {
      const output = join(dir, 'proxy-busy.json');
      const server = await startCliServer(['record', '--proxy', '--port', '0', '-o', output, '--upstream', slow.url, '--quiet']);
      const paths = Object.keys(source.entries)
        .filter((key) => !key.endsWith('/'))
        .slice(0, 30);
      const requests = paths.map((path) => send(server.url, path).catch(() => undefined));
      while (slow.hits.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
      const result = await server.stop('SIGTERM');
      await Promise.all(requests);
      assert.equal(result.code, 0, result.stderr);
      const cassette = await loadCassette(output);
      assert.ok(Object.keys(cassette.entries).length >= 1);
      for (const [key, entry] of Object.entries(cassette.entries)) {
        if (cassette.meta.redacted.includes(key)) assert.notDeepEqual(entry, source.entries[key], key);
        else assert.deepEqual(entry, source.entries[key], key);
      }
    } finally {
      await slow.close();
    }
  });

  test('--no-redact keeps real credentials and says so loudly', async () => {
    const output = join(dir, 'clear.json');
    const result = await runCli([
      'record',
      '--crawl',
      '-o',
      output,
      '--upstream',
      upstream.url,
      '--rate',
      '2000',
      '--no-redact',
      '--quiet',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /^WARNING: --no-redact: this instance's real credentials will be written to ".*clear\.json" in clear text\./,
    );
    const cassette = await loadCassette(output);
    const role = '/latest/meta-data/iam/security-credentials/baskinc-role';
    assert.equal(cassette.entries[role]!.body, source.entries[role]!.body);
    assert.deepEqual(cassette.meta.redacted, []);
    assert.equal((await stat(output)).mode & 0o777, 0o600, 'a file with live credentials is for its owner only');
  });

  test('--crawl goes on with IMDSv1 and one warning when the token PUT never answers but tokenless GETs do', async () => {
    // The hop-limit-1-in-a-container case: the token reply never arrives.
    const replay = await startCliServer(['replay', '--port', '0', '--quiet', '--fault', 'api/token=hang']);
    try {
      const output = join(dir, 'hop-limit.json');
      const result = await runCli([
        'record',
        '--crawl',
        '-o',
        output,
        '--upstream',
        replay.url,
        '--rate',
        '2000',
        '--timeout',
        '1s',
        '--retries',
        '0',
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stderr,
        /^Warning: The IMDSv2 token request to http:\/\/127\.0\.0\.1:\d+ timed out \(timed out after 1000 ms \(1 attempt\)\) but requests without a token work, so this recording uses IMDSv1\. Likely cause: a PUT response hop limit of 1 with the recorder in a container [^\n]*\n$/,
      );
      assert.match(result.stdout, /^Recorded 101 entries from .* \(m5\.large, us-east-1, IMDSv1\)/);
      assert.equal(Object.keys((await loadCassette(output)).entries).length, 101);
    } finally {
      await replay.stop('SIGTERM');
    }
  });

  test('--proxy fails with one line and a non-zero exit when its last write fails', async () => {
    const gone = await mkdtemp(join(dir, 'gone-'));
    const output = join(gone, 'proxy.json');
    const server = await startCliServer(['record', '--proxy', '--port', '0', '-o', output, '--upstream', upstream.url, '--quiet']);
    await send(server.url, '/latest/meta-data/instance-id');
    for (let waited = 0; waited < 5000 && !(await stat(output).catch(() => undefined)); waited += 20)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await rm(gone, { recursive: true });
    await send(server.url, '/latest/meta-data/instance-type');
    const result = await server.stop('SIGINT');
    assert.equal(result.code, 2, result.stderr);
    assert.doesNotMatch(result.stdout, /Recorded to/);
    const lines = result.stderr.trim().split('\n');
    assert.match(
      lines.at(-1)!,
      /^Error: 1 entry recorded by the proxy was not written: Failed to write cassette ".*proxy\.json": its directory does not exist\. [^\n]*$/,
    );
    assert.ok(
      lines.slice(0, -1).every((line) => line.startsWith('Warning: Failed to write cassette')),
      result.stderr,
    );
  });

  describe('mistakes', { concurrency: true }, () => {
    const mistakes: Array<[string, string[], RegExp]> = [
      [
        'a missing output directory',
        ['--crawl', '-o', '/nonexistent-aemm-dir/x.json'],
        /^Error: Output directory "\/nonexistent-aemm-dir" does not exist\. Create it first, or choose another -o path\.$/,
      ],
      ['both --crawl and --proxy', ['--crawl', '--proxy', '-o', 'x.json'], /^Error: Choose one of --crawl and --proxy, not both\.$/],
      ['neither --crawl nor --proxy', ['-o', 'x.json'], /^Error: Choose how to record: --crawl \(the whole tree\) or --proxy/],
      ['no -o', ['--crawl'], /^Error: Name the cassette to write with -o, e.g\. -o recordings\/my-instance\.json\.$/],
      [
        'a bad --upstream URL',
        ['--crawl', '-o', 'x.json', '--upstream', 'not a url'],
        /^Error: Upstream "not a url" is not an http:\/\/ URL\. Use an http:\/\/ origin like http:\/\/169\.254\.169\.254/,
      ],
      ['--port with --crawl', ['--crawl', '-o', 'x.json', '--port', '0'], /^Error: --port only applies to --proxy\. Drop it\.$/],
      [
        '--no-redact with --redact',
        ['--crawl', '-o', 'x.json', '--no-redact', '--redact', 'user-data'],
        /^Error: --no-redact and --redact contradict each other\. Keep one of them\.$/,
      ],
      [
        '--timeout 0',
        ['--crawl', '-o', 'x.json', '--timeout', '0'],
        /^Error: --timeout "0" must be more than 0\. Use e\.g\. --timeout 2s\./,
      ],
      [
        'an unknown --mode',
        ['--proxy', '-o', 'x.json', '--mode', 'always'],
        /^Error: Expected --mode=always to be one of: new, overwrite, replay-or-record/,
      ],
    ];
    for (const [name, args, message] of mistakes) {
      test(`${name} is one line on stderr, exit 2, and no traffic`, async () => {
        const result = await runCli([
          'record',
          ...args.map((arg) => (arg === 'x.json' ? join(dir, 'mistake.json') : arg)),
          ...(args.includes('--upstream') ? [] : ['--upstream', upstream.url]),
        ]);
        assert.equal(result.code, 2, result.stderr);
        // Nothing else, not even the --no-redact warning, for a run that never starts.
        const lines = result.stderr.trim().split('\n');
        assert.equal(lines.length, 1, result.stderr);
        assert.match(lines[0]!, message);
        assert.equal(upstream.hits.length, 0);
      });
    }
  });
});
