import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadCassette, parseCassette } from '../../src/cassette/load-cassette.js';
import { writeCassette } from '../../src/cassette/write-cassette.js';
import { CassetteError } from '../../src/core/errors.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

function broken(mutate: (value: Record<string, any>) => void): string {
  const value = createTinyCassette() as unknown as Record<string, any>;
  mutate(value);
  return JSON.stringify(value);
}

describe('loading cassettes', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aemm-cassette-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const problems: Array<[string, string, RegExp]> = [
    ['not JSON', '{"format": ', /"x\.json": it is not valid JSON \(.+\)\. Fix or re-record it\.$/],
    ['an array', '[]', /"x\.json": the file is not a JSON object\./],
    ['another format', broken((c) => (c.format = 'har/1.2')), /format is "har\/1\.2", expected "aemm-cassette\/1"\. Re-record it/],
    ['no meta', broken((c) => delete c.meta), /it has no "meta" object\./],
    ['meta without recordedAt', broken((c) => delete c.meta.recordedAt), /meta\.recordedAt is missing or not a string\./],
    ['meta.synthetic not boolean', broken((c) => (c.meta.synthetic = 'yes')), /meta\.synthetic is missing or not true\/false\./],
    ['no entries', broken((c) => delete c.entries), /it has no "entries" object\./],
    [
      'an entry without status',
      broken((c) => delete c.entries['/latest/meta-data/'].status),
      /^Failed to load cassette "x\.json": entry "\/latest\/meta-data\/" has no status\. Fix or re-record it\.$/,
    ],
    [
      'a bad status',
      broken((c) => (c.entries['/latest/meta-data/ami-id'].status = 42)),
      /entry "\/latest\/meta-data\/ami-id" has status 42, not an HTTP status code\./,
    ],
    ['a relative key', broken((c) => (c.entries['latest/x'] = { status: 200, headers: {} })), /entry "latest\/x" is not an absolute path/],
    ['both body kinds', broken((c) => (c.entries['/latest/meta-data/ami-id'].bodyBase64 = 'AA==')), /has both body and bodyBase64\./],
    ['bad base64', broken((c) => (c.entries['/latest/user-data'].bodyBase64 = '!!!')), /has a bodyBase64 that is not base64\./],
    [
      'upper-case header',
      broken((c) => (c.entries['/latest/meta-data/ami-id'].headers = { 'Content-Type': 'text/plain' })),
      /header "Content-Type" in upper case\./,
    ],
    ['an unknown field', broken((c) => (c.entries['/latest/meta-data/ami-id'].stauts = 200)), /has unknown field "stauts"\./],
  ];
  for (const [name, text, message] of problems) {
    test(`a cassette with ${name} is refused with one line naming file, entry and fix`, () => {
      assert.throws(
        () => parseCassette(text, 'x.json'),
        (error: Error) => {
          assert.ok(error instanceof CassetteError);
          assert.equal(error.code, 'CASSETTE_INVALID');
          assert.match(error.message, message);
          assert.ok(!error.message.includes('\n'));
          return true;
        },
      );
    });
  }

  test('a missing file names the path and says how to use the default', async () => {
    await assert.rejects(loadCassette(join(dir, 'nope.json')), /nope\.json": the file does not exist\. Check the path\.$/);
  });

  test('a directory is refused as one', async () => {
    await assert.rejects(loadCassette(dir), /it is a directory, not a file/);
  });

  test('the embedded default recording loads', async () => {
    const cassette = await loadCassette();
    assert.equal(cassette.meta.synthetic, true);
    assert.ok(Object.keys(cassette.entries).length > 50);
  });

  test('entries with the same headers share one headers object, others keep their own', () => {
    const cassette = parseCassette(
      broken((value) => {
        value.entries['/latest/user-data'] = { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: 'x' };
      }),
      'shared.json',
    );
    const { entries } = cassette;
    const plain = entries['/latest/meta-data/ami-id']!.headers;
    assert.equal(entries['/latest/meta-data/instance-id']!.headers, plain);
    assert.deepEqual(plain, { 'content-type': 'text/plain' });
    assert.notEqual(entries['/latest/user-data']!.headers, plain);
    assert.deepEqual(entries['/latest/user-data']!.headers, { 'content-type': 'application/octet-stream' });
  });
});

describe('writing cassettes', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aemm-write-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a written cassette reads back equal', async () => {
    const path = join(dir, 'a.json');
    await writeCassette(path, createTinyCassette());
    assert.deepEqual(await loadCassette(path), createTinyCassette());
  });

  test('an invalid cassette is never written and the previous file stays whole', async () => {
    const path = join(dir, 'b.json');
    await writeCassette(path, createTinyCassette());
    const before = await readFile(path, 'utf8');
    const bad = createTinyCassette();
    (bad.entries['/latest/meta-data/ami-id'] as { status: unknown }).status = 'oops';
    await assert.rejects(writeCassette(path, bad), CassetteError);
    assert.equal(await readFile(path, 'utf8'), before);
  });

  test('many concurrent writes leave one complete, valid file', async () => {
    const path = join(dir, 'c.json');
    const writes = Array.from({ length: 20 }, (_, i) => {
      const cassette = createTinyCassette();
      cassette.entries['/latest/meta-data/ami-id']!.body = `ami-${i}`;
      return writeCassette(path, cassette);
    });
    await Promise.all(writes);
    const loaded = await loadCassette(path);
    assert.match(loaded.entries['/latest/meta-data/ami-id']!.body!, /^ami-\d+$/);
  });
});

describe('write errors', () => {
  test('a missing directory is one line naming the file and the fix', async () => {
    await assert.rejects(writeCassette('/nonexistent-dir-aemm/x.json', createTinyCassette()), (error: Error) => {
      assert.match(
        error.message,
        /^Failed to write cassette "\/nonexistent-dir-aemm\/x\.json": its directory does not exist\. Choose a writable path/,
      );
      return true;
    });
  });
});

describe('a write that fails half-way', () => {
  test('leaves neither a temp file nor a broken cassette (file size limit hit mid-write)', async () => {
    const { spawnSync } = await import('node:child_process');
    const { readdir, mkdtemp: makeTemp } = await import('node:fs/promises');
    const dir = await makeTemp(join(tmpdir(), 'aemm-efbig-'));
    try {
      const script = `
        import { writeCassette } from './src/cassette/write-cassette.ts';
        import { createTinyCassette } from './test/helpers/tiny-cassette.ts';
        const big = createTinyCassette();
        big.entries['/latest/user-data'] = { status: 200, headers: {}, body: 'x'.repeat(64 * 1024) };
        try { await writeCassette(${JSON.stringify(join(dir, 'big.json'))}, big); } catch (error) { console.log(error.message); }`;
      const run = spawnSync('bash', ['-c', `ulimit -f 8; exec "${process.execPath}" --import tsx --input-type=module -e "$0"`, script], {
        encoding: 'utf8',
      });
      assert.match(run.stdout, /Failed to write cassette ".*big\.json": the file cannot be written \(EFBIG\)/, run.stderr);
      assert.deepEqual(await readdir(dir), []);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
