import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadCassette } from '../../src/cassette/load-cassette.js';
import { writeCassette } from '../../src/cassette/write-cassette.js';
import { createRecordingStore } from '../../src/recorder/create-recording-store.js';
import { startRecordingProxy } from '../../src/recorder/start-recording-proxy.js';
import { startServer } from '../../src/server/start-server.js';
import { send } from '../helpers/http.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';
import { startTableUpstream, type TableUpstream } from './helpers/table-upstream.js';

const ROLE = '/latest/meta-data/iam/security-credentials/web-role';
const CREDENTIALS =
  '{\n  "Code" : "Success",\n  "Type" : "AWS-HMAC",\n  "AccessKeyId" : "ASIAREALREALREALREAL",\n  "SecretAccessKey" : "real-secret-real-secret",\n  "Token" : "real-session-token",\n  "Expiration" : "2030-01-01T00:00:00Z"\n}';

const TABLE = {
  '/': { status: 200, body: '1.0\n2009-04-04\n2016-09-02\nlatest' },
  '/latest/meta-data/instance-id': { status: 200, body: 'i-0abc' },
  '/2016-09-02/meta-data/instance-id': { status: 200, body: 'i-0abc' },
  '/latest/meta-data/a%3Fb': { status: 200, body: 'odd' },
  '/latest/meta-data/a%23b': { status: 200, body: 'odd' },
  '/latest/meta-data/iam': { status: 301, headers: { location: 'UPSTREAM/latest/meta-data/iam/' } },
  '/latest/meta-data/identity-credentials/ec2': {
    status: 301,
    headers: { location: 'UPSTREAM/latest/meta-data/identity-credentials/ec2/' },
  },
  '/latest/meta-data/identity-credentials/ec2/': { status: 200, body: 'info\nsecurity-credentials/' },
  '/latest/meta-data/identity-credentials/ec2/info': { status: 200, body: '{\n  "Code" : "Success"\n}' },
  [ROLE]: { status: 200, body: CREDENTIALS },
};

describe('the recording proxy is safe by default (issue 11)', () => {
  let dir: string;
  let upstream: TableUpstream;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aemm-security-proxy-'));
    const table: Record<string, { status: number; body?: string; headers?: Record<string, string> }> = { ...TABLE };
    upstream = await startTableUpstream((path) => {
      const answer = table[path];
      return answer?.headers?.location
        ? { ...answer, headers: { location: answer.headers.location.replace('UPSTREAM', upstream.url) } }
        : answer;
    });
  });
  after(async () => {
    await upstream.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a DNS-rebound page gets neither a token nor credentials (item 3)', async () => {
    const proxy = await startRecordingProxy({ upstream: upstream.url, output: join(dir, 'rebind.json'), port: 0 });
    try {
      upstream.hits.length = 0;
      const host = `attacker.example:${proxy.port}`;
      const put = await send(proxy.url, '/latest/api/token', {
        method: 'PUT',
        headers: { host, 'x-aws-ec2-metadata-token-ttl-seconds': '21600' },
      });
      assert.equal(put.status, 403);
      assert.match(put.text, /Host "attacker\.example:\d+" does not name this proxy/);
      assert.equal((await send(proxy.url, ROLE, { headers: { host } })).status, 403);
      assert.deepEqual(upstream.hits, [], 'nothing reached the instance');
      assert.equal(
        (await send(proxy.url, '/latest/meta-data/instance-id', { headers: { host: `localhost:${proxy.port}` } })).text,
        'i-0abc',
      );
    } finally {
      await proxy.close();
    }
  });

  test('--allow-host adds names the proxy answers to', async () => {
    const proxy = await startRecordingProxy({
      upstream: upstream.url,
      output: join(dir, 'allowed.json'),
      port: 0,
      allowHosts: ['imds.internal'],
    });
    try {
      assert.equal((await send(proxy.url, '/latest/meta-data/instance-id', { headers: { host: 'imds.internal' } })).status, 200);
      assert.equal(
        (await send(proxy.url, '/latest/meta-data/instance-id', { headers: { host: 'imds.internal.attacker.example' } })).status,
        403,
      );
    } finally {
      await proxy.close();
    }
  });

  test('absolute-form targets with .. or %2e%2e are refused with 400, not resolved (item 8)', async () => {
    const proxy = await startRecordingProxy({ upstream: upstream.url, output: join(dir, 'dots.json'), port: 0 });
    try {
      upstream.hits.length = 0;
      for (const path of ['/latest/meta-data/../../x', '/latest/%2e%2e/meta-data/', '/latest/%2E%2E/x', '/latest/./meta-data/']) {
        assert.equal((await send(proxy.url, `${upstream.url}${path}`)).status, 400, path);
      }
      assert.deepEqual(upstream.hits, []);
    } finally {
      await proxy.close();
    }
  });

  test('an oversized request target is answered 414 at once (item 1)', async () => {
    const proxy = await startRecordingProxy({ upstream: upstream.url, output: join(dir, 'long.json'), port: 0 });
    try {
      upstream.hits.length = 0;
      assert.equal((await send(proxy.url, `/latest/meta-data${'/a'.repeat(4000)}`)).status, 414);
      assert.deepEqual(upstream.hits, []);
    } finally {
      await proxy.close();
    }
  });

  test('a redirect names the proxy as the client reached it, never a Host it does not answer to (item 8)', async () => {
    const proxy = await startRecordingProxy({ upstream: upstream.url, output: join(dir, 'redirect.json'), port: 0 });
    try {
      const named = await send(proxy.url, '/latest/meta-data/iam', { headers: { host: `localhost:${proxy.port}` } });
      assert.deepEqual([named.status, named.headers.location], [301, `http://localhost:${proxy.port}/latest/meta-data/iam/`]);
      // Absolute-form naming the proxy itself: the Host header is the client's to choose, so it is not echoed.
      const foreign = await send(proxy.url, `http://127.0.0.1:${proxy.port}/latest/meta-data/iam`, {
        headers: { host: 'attacker.example' },
      });
      assert.deepEqual([foreign.status, foreign.headers.location], [301, `${proxy.url}/latest/meta-data/iam/`]);
    } finally {
      await proxy.close();
    }
  });

  test('an answer the cassette cannot store is skipped with a warning naming it; the rest is written (item 5)', async () => {
    const output = join(dir, 'odd.json');
    const warnings: string[] = [];
    const writeErrors: Error[] = [];
    const proxy = await startRecordingProxy({
      upstream: upstream.url,
      output,
      port: 0,
      onWarning: (message) => warnings.push(message),
      onWriteError: (error) => writeErrors.push(error),
    });
    assert.equal((await send(proxy.url, '/latest/meta-data/a%3Fb')).text, 'odd', 'the client still gets its answer');
    await send(proxy.url, '/latest/meta-data/a%23b');
    await send(proxy.url, '/latest/meta-data/instance-id');
    const stats = await proxy.close();
    assert.deepEqual(writeErrors, []);
    assert.equal(stats.unwritten, 0);
    assert.deepEqual(Object.keys((await loadCassette(output)).entries), ['/', '/latest/meta-data/instance-id']);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0]!, /^Not recording "\/latest\/meta-data\/a\?b": /);
    for (const warning of warnings) assert.doesNotMatch(warning, /Failed to load cassette/);
  });

  test("keeps the instance's version list and the dated versions it refused, so replay negotiates the same one (record what the instance said)", async () => {
    const output = join(dir, 'versions.json');
    const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0 });
    // cloud-init's order: newest first, the first 200 wins.
    assert.equal((await send(proxy.url, '/2021-03-23/meta-data/instance-id')).status, 404);
    assert.equal((await send(proxy.url, '/2018-09-24/meta-data/instance-id')).status, 404);
    assert.equal((await send(proxy.url, '/2016-09-02/meta-data/instance-id')).status, 200);
    await proxy.close();
    const recorded = await loadCassette(output);
    assert.equal(recorded.entries['/']!.body, TABLE['/'].body);
    const replay = await startServer({ cassette: recorded, port: 0 });
    try {
      for (const [version, status] of [
        ['2021-03-23', 404],
        ['2018-09-24', 404],
        ['2016-09-02', 200],
      ] as const) {
        assert.equal((await send(replay.url, `/${version}/meta-data/instance-id`)).status, status, version);
      }
      assert.equal((await send(replay.url, '/')).text, TABLE['/'].body);
    } finally {
      await replay.close();
    }
  });

  test('a partial recording is flagged meta.incomplete: true (record what the instance said)', async () => {
    const output = join(dir, 'partial.json');
    const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0 });
    await send(proxy.url, '/latest/meta-data/identity-credentials/ec2/');
    await send(proxy.url, '/latest/meta-data/identity-credentials/ec2/info');
    await proxy.close();
    const recorded = await loadCassette(output);
    assert.equal(recorded.meta.incomplete, true);
    assert.equal(recorded.entries['/latest/meta-data/identity-credentials/ec2/']!.body, 'info\nsecurity-credentials/');
    // Replay serves the listing as the instance said it, and the child it never saw as a miss.
    const replay = await startServer({ cassette: recorded, port: 0 });
    try {
      assert.equal((await send(replay.url, '/latest/meta-data/identity-credentials/ec2/')).text, 'info\nsecurity-credentials/');
      assert.equal((await send(replay.url, '/latest/meta-data/identity-credentials/ec2/security-credentials/')).status, 404);
    } finally {
      await replay.close();
    }
    // replay-or-record serves what it has and forwards (and records) the rest.
    const again = await startRecordingProxy({ upstream: upstream.url, output, port: 0, mode: 'replay-or-record' });
    try {
      assert.equal((await send(again.url, '/latest/meta-data/identity-credentials/ec2/info')).text, '{\n  "Code" : "Success"\n}');
      upstream.hits.length = 0;
      await send(again.url, '/latest/meta-data/identity-credentials/ec2/security-credentials/');
      assert.deepEqual(
        upstream.hits
          .map((hit) => hit.path)
          .filter((path) => path.includes('identity-credentials'))
          .slice(0, 1),
        ['/latest/meta-data/identity-credentials/ec2/security-credentials/'],
      );
    } finally {
      await again.close();
    }
  });

  test('a complete proxy recording carries no incomplete flag', async () => {
    const output = join(dir, 'whole.json');
    const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0 });
    await send(proxy.url, '/latest/meta-data/instance-id');
    await proxy.close();
    assert.equal((await loadCassette(output)).meta.incomplete, undefined);
  });

  test('a read-only output is refused without force, and replaced with it (item 8)', async () => {
    const output = join(dir, 'readonly.json');
    await writeFile(output, JSON.stringify(createTinyCassette()));
    await chmod(output, 0o444);
    await assert.rejects(startRecordingProxy({ upstream: upstream.url, output, port: 0 }), {
      code: 'USAGE',
      message: /read-only \(mode 0444\)\. Pass --force/,
    });
    await assert.rejects(writeCassette(output, createTinyCassette()), { code: 'USAGE' });
    const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0, mode: 'overwrite', force: true });
    await send(proxy.url, '/latest/meta-data/instance-id');
    await proxy.close();
    assert.deepEqual(Object.keys((await loadCassette(output)).entries), ['/', '/latest/meta-data/instance-id']);
  });
});

describe('cassette writes never follow a planted link (issue 11 item 4)', () => {
  test('a symlink at the old temp name or any name beside the output is left alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'aemm-security-link-'));
    try {
      const victim = join(dir, 'attacker-owned.txt');
      await writeFile(victim, 'mine');
      const output = join(dir, 'live.json');
      // What a local user could plant: the temp names the old writer used, before and after a first write.
      await symlink(victim, join(dir, '.live.json.tmp'));
      const cassette = createTinyCassette();
      cassette.entries[ROLE] = { status: 200, headers: { 'content-type': 'text/plain' }, body: CREDENTIALS };
      await writeCassette(output, cassette, { mode: 0o600 });
      await writeCassette(output, cassette, { mode: 0o600 });
      assert.equal(await readFile(victim, 'utf8'), 'mine', 'the write went through the link');
      assert.equal(((await stat(output)).mode & 0o777).toString(8), '600');
      assert.deepEqual(await loadCassette(output), cassette);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the proxy store is indexed (issue 11 item 8)', () => {
  test('a lookup costs the same in a store sixteen times as large', () => {
    const time = (size: number): number => {
      const entries: Record<string, { status: number; headers: Record<string, string>; body: string }> = {};
      for (let index = 0; index < size; index++)
        entries[`/latest/meta-data/tags/instance/key-${index}`] = { status: 200, headers: {}, body: 'v' };
      const store = createRecordingStore({ entries, replace: false, redact: (_key, entry) => entry });
      let best = Infinity;
      // CPU time of this process, not wall time: other processes taking the cores cannot inflate one side.
      for (let round = 0; round < 5; round++) {
        const started = process.cpuUsage();
        for (let ask = 0; ask < 200; ask++) {
          store.kindOf(`/latest/meta-data/missing-${ask}`);
          store.put(`/latest/meta-data/new-${round}-${ask}`, { status: 200, headers: {}, body: 'x' });
        }
        const used = process.cpuUsage(started);
        best = Math.min(best, (used.user + used.system) / 1000);
      }
      return best;
    };
    const small = time(2_000);
    const large = time(32_000);
    // A scan per request gives about 16; an index about 1. The wide gap between them leaves room
    // for a busy machine's noise.
    assert.ok(large < small * 5 + 2, `${small.toFixed(2)} ms with 2k entries, ${large.toFixed(2)} ms with 32k`);
  });
});
