import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { loadCassette } from '../../src/cassette/load-cassette.js';
import type { Cassette } from '../../src/core/cassette.js';
import { startRecordingProxy, type ProxyRequestLog, type RecordingProxy } from '../../src/recorder/start-recording-proxy.js';
import { startServer } from '../../src/server/start-server.js';
import { send } from '../helpers/http.js';
import { withImdsEndpoint } from '../helpers/imds-env.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';

const ROLE_PATH = '/latest/meta-data/iam/security-credentials/';

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
    socket.on('end', () => resolve(data));
    socket.on('close', () => resolve(data));
    socket.on('error', reject);
  });
}

describe('startRecordingProxy', () => {
  let dir: string;
  let source: Cassette;
  let upstream: FakeUpstream;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aemm-record-proxy-'));
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

  describe('with the AWS SDK clients running through it', () => {
    let output: string;
    const seen: Record<string, string> = {};
    let credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    let recorded: Cassette;
    let text: string;
    before(async () => {
      output = join(dir, 'sdk.json');
      const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0 });
      const client = new MetadataService({ endpoint: proxy.url, retries: 0, httpOptions: { timeout: 2000 } });
      for (const path of ['/latest/meta-data/instance-id', '/latest/meta-data/placement/region', '/latest/dynamic/instance-identity/document', '/latest/meta-data/']) {
        seen[path] = await client.request(path, {});
      }
      credentials = await withImdsEndpoint(proxy.url, () => fromInstanceMetadata({ timeout: 2000, maxRetries: 0 })());
      await proxy.close();
      text = await readFile(output, 'utf8');
      recorded = await loadCassette(output);
    });

    test('hands the clients exactly what the upstream serves, real credentials included', () => {
      for (const [path, value] of Object.entries(seen)) assert.equal(value, source.entries[path]!.body, path);
      const role = source.entries[ROLE_PATH]!.body!;
      const real = JSON.parse(source.entries[ROLE_PATH + role]!.body!) as Record<string, string>;
      assert.equal(credentials.accessKeyId, real.AccessKeyId);
      assert.equal(credentials.sessionToken, real.Token);
    });

    test('records what they fetched, and no token', () => {
      const role = source.entries[ROLE_PATH]!.body!;
      assert.deepEqual(Object.keys(recorded.entries), [...Object.keys(seen), ROLE_PATH, ROLE_PATH + role].sort());
      assert.ok(upstream.tokens.length >= 2, 'the clients used tokens');
      for (const token of upstream.tokens) assert.ok(!text.includes(token), 'a token reached the file');
      assert.ok(!Object.keys(recorded.entries).some((key) => key.includes('/api/')));
      assert.deepEqual(recorded.meta.redacted, [ROLE_PATH + role]);
      assert.equal(recorded.meta.region, 'us-east-1', 'read from the identity document');
    });

    test('writes no byte of the upstream credentials', () => {
      for (const entry of Object.values(source.entries)) {
        if (!entry.body?.includes('"AccessKeyId"')) continue;
        const doc = JSON.parse(entry.body) as Record<string, string>;
        for (const field of ['AccessKeyId', 'SecretAccessKey', 'Token']) assert.ok(!text.includes(doc[field]!), `${field} leaked`);
      }
    });

    test('replays what the clients saw (with fake credentials)', async () => {
      const replay = await startServer({ cassette: recorded, port: 0, imdsv2: true });
      try {
        const client = new MetadataService({ endpoint: replay.url, retries: 0, httpOptions: { timeout: 2000 } });
        for (const [path, value] of Object.entries(seen)) {
          const replayedValue = await client.request(path, {});
          // A proxy recording is partial: replay lists only the children it holds (no listed name may 404).
          if (path.endsWith('/')) assert.deepEqual(replayedValue.split('\n'), value.split('\n').filter((name) => ['iam/', 'instance-id', 'placement/'].includes(name)));
          else assert.equal(replayedValue, value, path);
        }
        const replayed = await withImdsEndpoint(replay.url, () => fromInstanceMetadata({ timeout: 2000, maxRetries: 0 })());
        const role = source.entries[ROLE_PATH]!.body!;
        const fake = JSON.parse(recorded.entries[ROLE_PATH + role]!.body!) as Record<string, string>;
        assert.equal(replayed.accessKeyId, fake.AccessKeyId);
        assert.notEqual(replayed.accessKeyId, credentials.accessKeyId);
        assert.match(replayed.accessKeyId, /^ASIA[A-Z2-7]{16}$/);
      } finally {
        await replay.close();
      }
    });
  });

  describe('at its edges', () => {
    let proxy: RecordingProxy;
    before(async () => {
      proxy = await startRecordingProxy({ upstream: upstream.url, output: join(dir, 'edges.json'), port: 0 });
    });
    after(() => proxy.close());

    test('refuses absolute-form targets for other hosts without forwarding them', async () => {
      const response = await send(proxy.url, 'http://169.254.170.2/v2/credentials');
      assert.equal(response.status, 403);
      assert.match(response.text, /forwards only to http:\/\/127\.0\.0\.1:\d+, not to 169\.254\.170\.2/);
      assert.equal(upstream.hits.length, 0);
    });

    test('forwards absolute-form targets that name the upstream', async () => {
      const response = await send(proxy.url, `${upstream.url}/latest/meta-data/instance-id`);
      assert.equal(response.text, 'i-1234567890abcdef0');
      assert.equal(upstream.hits[0]!.path, '/latest/meta-data/instance-id');
    });

    test('refuses paths that climb out with .. or encoded dots and slashes', async () => {
      for (const path of ['/latest/../../etc/passwd', '/latest/%2e%2e/x', '/latest/meta-data%2f..%2f', '/latest\\..\\x']) {
        assert.equal((await send(proxy.url, path)).status, 400, path);
      }
      assert.equal(upstream.hits.length, 0);
    });

    test('refuses CONNECT tunnels', async () => {
      const reply = await rawRequest(proxy.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
      assert.match(reply, /^HTTP\/1\.1 405 /);
    });

    test('adds no X-Forwarded-For and strips hop-by-hop request headers', async () => {
      const response = await send(proxy.url, '/latest/meta-data/ami-id', {
        headers: { connection: 'x-private', 'x-private': '1', 'proxy-authorization': 'Basic eDp5', te: 'trailers', 'x-kept': 'yes' },
      });
      assert.equal(response.status, 200);
      const hit = upstream.hits[0]!;
      assert.equal(hit.headers['x-forwarded-for'], undefined);
      assert.equal(hit.headers.forwarded, undefined);
      for (const name of ['x-private', 'proxy-authorization', 'te']) assert.equal(hit.headers[name], undefined, name);
      assert.equal(hit.headers['x-kept'], 'yes');
    });

    test('strips hop-by-hop response headers, and those the upstream names in Connection', async () => {
      const chatty = await startFakeUpstream({
        cassette: source,
        intercept: () => ({ status: 200, headers: { connection: 'keep-alive, x-private', 'keep-alive': 'timeout=5', 'x-private': '1', 'proxy-authenticate': 'Basic', 'x-kept': 'yes' }, body: 'ok' }),
      });
      const hop = await startRecordingProxy({ upstream: chatty.url, output: join(dir, 'hop.json'), port: 0 });
      try {
        const response = await send(hop.url, '/latest/meta-data/ami-id');
        assert.equal(response.text, 'ok');
        for (const name of ['x-private', 'keep-alive', 'proxy-authenticate']) assert.equal(response.headers[name], undefined, name);
        assert.equal(response.headers['x-kept'], 'yes');
        assert.equal(response.headers['content-length'], '2');
      } finally {
        await hop.close();
        await chatty.close();
      }
    });

    test("passes a client's own X-Forwarded-For through, so IMDS still refuses a forwarded token PUT", async () => {
      const ttl = { 'x-aws-ec2-metadata-token-ttl-seconds': '60' };
      assert.equal((await send(proxy.url, '/latest/api/token', { method: 'PUT', headers: { ...ttl, 'x-forwarded-for': '203.0.113.9' } })).status, 403);
      const direct = await send(proxy.url, '/latest/api/token', { method: 'PUT', headers: ttl });
      assert.equal(direct.status, 200);
      assert.equal(direct.headers['x-aws-ec2-metadata-token-ttl-seconds'], '60');
    });

    test('points redirects at itself, so clients that follow them stay on the proxy', async () => {
      const response = await send(proxy.url, '/latest/meta-data/iam');
      assert.equal(response.status, 301);
      assert.equal(response.headers.location, `${proxy.url}/latest/meta-data/iam/`);
    });

    test('answers 502 when the upstream cannot be reached, and records nothing', async () => {
      const deadUpstream = await startFakeUpstream({ cassette: source });
      await deadUpstream.close();
      const output = join(dir, 'dead.json');
      const dead = await startRecordingProxy({ upstream: deadUpstream.url, output, port: 0 });
      const response = await send(dead.url, '/latest/meta-data/ami-id');
      assert.equal(response.status, 502);
      assert.match(response.text, /upstream http:\/\/127\.0\.0\.1:\d+ failed \(ECONNREFUSED\)/);
      const stats = await dead.close();
      assert.equal(stats.writes, 0);
      await assert.rejects(readFile(output), { code: 'ENOENT' });
    });

    test('refuses to listen beyond loopback unless allowed', async () => {
      await assert.rejects(startRecordingProxy({ upstream: upstream.url, output: join(dir, 'x.json'), port: 0, hostname: '0.0.0.0' }), {
        code: 'USAGE',
        message: /^Refusing to listen on 0\.0\.0\.0: the proxy would hand this instance's credentials to the network\. .*--allow-remote/,
      });
    });
  });

  describe('modes', () => {
    async function seed(name: string): Promise<string> {
      const path = join(dir, name);
      const old = createTinyCassette();
      old.entries['/latest/meta-data/instance-id'] = { status: 200, headers: { 'content-type': 'text/plain' }, body: 'i-old' };
      await writeFile(path, JSON.stringify(old));
      return path;
    }

    test('new keeps entries the file has and adds the ones it lacks', async () => {
      const output = await seed('new.json');
      const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0 });
      assert.equal((await send(proxy.url, '/latest/meta-data/instance-id')).text, 'i-1234567890abcdef0', 'clients get the live answer');
      await send(proxy.url, '/latest/meta-data/instance-type');
      const stats = await proxy.close();
      const cassette = await loadCassette(output);
      assert.equal(cassette.entries['/latest/meta-data/instance-id']!.body, 'i-old');
      assert.equal(cassette.entries['/latest/meta-data/instance-type']!.body, 'm5.large');
      assert.equal(cassette.entries['/latest/user-data']!.bodyBase64, '/wABAg==', 'binary entries survive a rewrite');
      assert.equal(stats.recorded, 1);
      assert.equal(cassette.meta.instanceType, 'm5.large');
    });

    test('overwrite starts from nothing and keeps the latest answer', async () => {
      const output = await seed('overwrite.json');
      const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0, mode: 'overwrite' });
      await send(proxy.url, '/latest/meta-data/instance-id');
      await proxy.close();
      const cassette = await loadCassette(output);
      assert.deepEqual(Object.keys(cassette.entries), ['/latest/meta-data/instance-id']);
      assert.equal(cassette.entries['/latest/meta-data/instance-id']!.body, 'i-1234567890abcdef0');
    });

    test('replay-or-record serves what the file has and forwards only misses, once', async () => {
      const output = await seed('replay-or-record.json');
      const logs: ProxyRequestLog[] = [];
      const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0, mode: 'replay-or-record', onRequest: (log) => logs.push(log) });
      assert.equal((await send(proxy.url, '/latest/meta-data/instance-id')).text, 'i-old');
      assert.equal((await send(proxy.url, '/latest/meta-data/instance-type')).text, 'm5.large');
      assert.equal((await send(proxy.url, '/latest/meta-data/instance-type')).text, 'm5.large');
      assert.equal((await send(proxy.url, '/latest/meta-data/iam')).status, 301, 'directories of the file redirect without the upstream');
      await proxy.close();
      assert.deepEqual(upstream.hits.map((hit) => hit.path), ['/latest/meta-data/instance-type']);
      assert.deepEqual(logs.map((log) => log.from), ['cassette', 'upstream', 'cassette', 'cassette']);
      assert.equal((await loadCassette(output)).entries['/latest/meta-data/instance-type']!.body, 'm5.large');
    });

    test('refuses to start on a broken existing file rather than replace it', async () => {
      const output = join(dir, 'broken.json');
      await writeFile(output, '{"format": "aemm-cassette/1"');
      await assert.rejects(startRecordingProxy({ upstream: upstream.url, output, port: 0 }), { code: 'CASSETTE_INVALID' });
      assert.equal(await readFile(output, 'utf8'), '{"format": "aemm-cassette/1"');
    });
  });

  test('records only whole 200 answers to GET, debounces writes, and flushes on close', async () => {
    const output = join(dir, 'debounce.json');
    const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0, mode: 'overwrite', debounceMs: 60_000 });
    const paths = Object.keys(source.entries).filter((key) => key.startsWith('/latest/meta-data/') && !key.endsWith('/')).slice(0, 20);
    await Promise.all(paths.map((path) => send(proxy.url, path)));
    await send(proxy.url, '/latest/meta-data/ami-id', { method: 'HEAD' });
    await send(proxy.url, '/latest/meta-data/nope');
    await send(proxy.url, '/latest/meta-data/iam');
    assert.equal(proxy.stats().writes, 0, 'nothing written within the debounce');
    const stats = await proxy.close();
    assert.equal(stats.writes, 1);
    assert.deepEqual(Object.keys((await loadCassette(output)).entries), [...paths].sort());
  });
});
