import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
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
const TTL = { 'x-aws-ec2-metadata-token-ttl-seconds': '60' };

/** Upstream requests other than the one for `/`, the version list the proxy records by itself. */
const forwarded = (upstream: FakeUpstream) => upstream.hits.filter((hit) => hit.path !== '/');

function secretsOf(cassette: Cassette): string[] {
  return Object.values(cassette.entries).flatMap((entry) => {
    if (!entry.body?.includes('"AccessKeyId"')) return [];
    const doc = JSON.parse(entry.body) as Record<string, string>;
    return [doc.AccessKeyId!, doc.SecretAccessKey!, doc.Token!];
  });
}

/** A loopback upstream that answers `/…/trickle` one byte every 20 ms for 1.5 s and never answers `/…/hang`. */
async function startSlowUpstream(): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    if (req.url?.endsWith('/trickle')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const started = Date.now();
      const drip = setInterval(() => {
        if (Date.now() - started > 1500) {
          clearInterval(drip);
          res.end('.');
        } else res.write('.');
      }, 20);
      res.on('close', () => clearInterval(drip));
    }
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

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
      for (const path of [
        '/latest/meta-data/instance-id',
        '/latest/meta-data/placement/region',
        '/latest/dynamic/instance-identity/document',
        '/latest/meta-data/',
      ]) {
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
      assert.deepEqual(Object.keys(recorded.entries), ['/', ...Object.keys(seen), ROLE_PATH, ROLE_PATH + role].sort());
      assert.ok(upstream.tokens.length >= 2, 'the clients used tokens');
      for (const token of upstream.tokens) assert.ok(!text.includes(token), 'a token reached the file');
      assert.ok(!Object.keys(recorded.entries).some((key) => key.includes('/api/')));
      assert.deepEqual(recorded.meta.redacted, [ROLE_PATH + role]);
      assert.equal(recorded.meta.region, 'us-east-1', 'read from the identity document');
      assert.equal(recorded.meta.incomplete, true, 'its listing names children nobody fetched');
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
          // A partial proxy recording (meta.incomplete) serves its listings as the instance said them.
          assert.equal(replayedValue, value, path);
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
      assert.equal(forwarded(upstream).length, 0);
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
      assert.equal(forwarded(upstream).length, 0);
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
        intercept: () => ({
          status: 200,
          headers: {
            connection: 'keep-alive, x-private',
            'keep-alive': 'timeout=5',
            'x-private': '1',
            'proxy-authenticate': 'Basic',
            'x-kept': 'yes',
          },
          body: 'ok',
        }),
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
      assert.equal(
        (await send(proxy.url, '/latest/api/token', { method: 'PUT', headers: { ...ttl, 'x-forwarded-for': '203.0.113.9' } })).status,
        403,
      );
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
      assert.equal(stats.recorded, 2, 'instance-type and the version list');
      assert.equal(cassette.meta.instanceType, 'm5.large');
    });

    test('overwrite starts from nothing and keeps the latest answer', async () => {
      const output = await seed('overwrite.json');
      const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0, mode: 'overwrite' });
      await send(proxy.url, '/latest/meta-data/instance-id');
      await proxy.close();
      const cassette = await loadCassette(output);
      assert.deepEqual(Object.keys(cassette.entries), ['/', '/latest/meta-data/instance-id']);
      assert.equal(cassette.entries['/latest/meta-data/instance-id']!.body, 'i-1234567890abcdef0');
    });

    test('replay-or-record serves what the file has and forwards only misses, once', async () => {
      const output = await seed('replay-or-record.json');
      const logs: ProxyRequestLog[] = [];
      const proxy = await startRecordingProxy({
        upstream: upstream.url,
        output,
        port: 0,
        mode: 'replay-or-record',
        onRequest: (log) => logs.push(log),
      });
      assert.equal((await send(proxy.url, '/latest/meta-data/instance-id')).text, 'i-old');
      assert.equal((await send(proxy.url, '/latest/meta-data/instance-type')).text, 'm5.large');
      assert.equal((await send(proxy.url, '/latest/meta-data/instance-type')).text, 'm5.large');
      await proxy.close();
      assert.deepEqual(
        forwarded(upstream).map((hit) => hit.path),
        ['/latest/meta-data/instance-type'],
      );
      assert.deepEqual(
        logs.map((log) => log.from),
        ['cassette', 'upstream', 'cassette'],
      );
      assert.equal((await loadCassette(output)).entries['/latest/meta-data/instance-type']!.body, 'm5.large');
    });

    test('replay-or-record forwards all the file does not hold as such: listings made from children, /, dated fallbacks, redirects', async () => {
      const output = join(dir, 'exact.json');
      const held = createTinyCassette();
      held.entries = {
        '/latest/meta-data/instance-id': { status: 200, headers: { 'content-type': 'text/plain' }, body: 'i-old' },
        '/latest/meta-data/placement/region': { status: 200, headers: { 'content-type': 'text/plain' }, body: 'eu-west-1' },
      };
      await writeFile(output, JSON.stringify(held));
      const logs: ProxyRequestLog[] = [];
      const proxy = await startRecordingProxy({
        upstream: upstream.url,
        output,
        port: 0,
        mode: 'replay-or-record',
        onRequest: (log) => logs.push(log),
      });
      const answers: Record<string, string> = {};
      for (const path of [
        '/',
        '/latest/meta-data/placement/',
        '/2021-03-23/meta-data/instance-id',
        '/latest/meta-data/placement',
        '/latest/meta-data/instance-id',
        '/latest/meta-data/placement/region/',
      ]) {
        const response = await send(proxy.url, path);
        answers[path] = `${response.status} ${response.text}`;
      }
      await proxy.close();
      assert.equal(answers['/'], `200 ${source.entries['/']!.body}`);
      assert.equal(answers['/latest/meta-data/placement/'], `200 ${source.entries['/latest/meta-data/placement/']!.body}`);
      assert.equal(answers['/2021-03-23/meta-data/instance-id'], '200 i-1234567890abcdef0');
      assert.match(answers['/latest/meta-data/placement']!, /^301 /);
      assert.equal(answers['/latest/meta-data/instance-id'], '200 i-old');
      assert.equal(answers['/latest/meta-data/placement/region/'], '200 eu-west-1');
      const from = Object.fromEntries(logs.map((log) => [log.path, log.from]));
      assert.deepEqual(from, {
        '/': 'upstream',
        '/latest/meta-data/placement/': 'upstream',
        '/2021-03-23/meta-data/instance-id': 'upstream',
        '/latest/meta-data/placement': 'upstream',
        '/latest/meta-data/instance-id': 'cassette',
        '/latest/meta-data/placement/region/': 'cassette',
      });
      const recorded = await loadCassette(output);
      assert.deepEqual(Object.keys(recorded.entries), [
        '/',
        '/2021-03-23/meta-data/instance-id',
        '/latest/meta-data/instance-id',
        '/latest/meta-data/placement/',
        '/latest/meta-data/placement/region',
      ]);
    });

    test('replay-or-record answers a hit with the bytes replay sends for the same file, and forwards a listing replay would rewrite', async () => {
      const output = join(dir, 'same-bytes.json');
      const held = createTinyCassette();
      // A complete recording whose meta-data listing names a child recorded as missing: replay drops the name.
      held.entries['/latest/meta-data/'] = { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ami-id\ninstance-id\ngone' };
      held.entries['/latest/meta-data/gone'] = { status: 404, headers: { 'content-type': 'text/html' }, body: 'not here' };
      await writeFile(output, JSON.stringify(held));
      const hits = [
        ['GET', '/latest/meta-data/instance-id'],
        ['HEAD', '/latest/meta-data/instance-id'],
        ['GET', '/latest/user-data'],
        ['GET', '/latest/user-data/'],
        ['GET', '/latest/meta-data/tags/instance/'],
        ['GET', '/latest/meta-data/public-keys/0/openssh-key?x=1'],
        ['GET', '/2009-04-04/meta-data/ami-id'],
      ] as const;
      const replay = await startServer({ cassette: output, port: 0 });
      const expected = [];
      for (const [method, path] of hits) expected.push(await send(replay.url, path, { method }));
      const rewritten = await send(replay.url, '/latest/meta-data/');
      await replay.close();
      const logs: ProxyRequestLog[] = [];
      const proxy = await startRecordingProxy({
        upstream: upstream.url,
        output,
        port: 0,
        mode: 'replay-or-record',
        onRequest: (log) => logs.push(log),
      });
      const served = [];
      for (const [method, path] of hits) served.push(await send(proxy.url, path, { method }));
      const listing = await send(proxy.url, '/latest/meta-data/');
      await proxy.close();
      const view = ({ status, headers, body }: Awaited<ReturnType<typeof send>>) => ({
        status,
        body: body.toString('base64'),
        headers: Object.fromEntries(Object.entries(headers).filter(([name]) => !['date', 'connection', 'keep-alive'].includes(name))),
      });
      assert.deepEqual(served.map(view), expected.map(view));
      assert.deepEqual(
        logs.slice(0, hits.length).map((log) => log.from),
        hits.map(() => 'cassette'),
      );
      // Replay would serve the listing without `gone`; the file holds it with, so the upstream answers.
      assert.doesNotMatch(rewritten.text, /gone/);
      assert.equal(logs.at(-1)?.from, 'upstream');
      assert.equal(listing.text, source.entries['/latest/meta-data/']!.body);
    });

    test('replay-or-record always forwards credentials: the application gets real ones, the file keeps fakes', async () => {
      const output = join(dir, 'ror-credentials.json');
      const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0, mode: 'replay-or-record' });
      const role = source.entries[ROLE_PATH]!.body!;
      const real = source.entries[ROLE_PATH + role]!.body!;
      const first = await send(proxy.url, ROLE_PATH + role);
      await proxy.flush();
      const second = await send(proxy.url, ROLE_PATH + role);
      const slashed = await send(proxy.url, `${ROLE_PATH}${role}/`);
      await proxy.close();
      assert.deepEqual([first.text, second.text, slashed.text], [real, real, real]);
      assert.equal(upstream.hits.filter((hit) => hit.path.startsWith(ROLE_PATH + role)).length, 3);
      const text = await readFile(output, 'utf8');
      for (const secret of secretsOf(source)) assert.ok(!text.includes(secret), 'a real secret reached the file');
      assert.deepEqual((await loadCassette(output)).meta.redacted, [ROLE_PATH + role]);
    });

    test('refuses to start on a broken existing file rather than replace it', async () => {
      const output = join(dir, 'broken.json');
      await writeFile(output, '{"format": "aemm-cassette/1"');
      await assert.rejects(startRecordingProxy({ upstream: upstream.url, output, port: 0 }), { code: 'CASSETTE_INVALID' });
      assert.equal(await readFile(output, 'utf8'), '{"format": "aemm-cassette/1"');
    });
  });

  describe('leaves asked with a trailing slash', () => {
    test('are recorded under the leaf key, with credentials faked and --redact applied', async () => {
      const output = join(dir, 'slash.json');
      const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0, redactPaths: ['user-data', 'meta-data/tags/**'] });
      const role = source.entries[ROLE_PATH]!.body!;
      const token = (await send(proxy.url, '/latest/api/token', { method: 'PUT', headers: TTL })).text;
      const withToken = { headers: { 'x-aws-ec2-metadata-token': token } };
      assert.equal(
        (await send(proxy.url, `${ROLE_PATH}${role}/`, withToken)).text,
        source.entries[ROLE_PATH + role]!.body,
        'the client gets the real credentials',
      );
      assert.equal((await send(proxy.url, '/latest/user-data/', withToken)).text, source.entries['/latest/user-data']!.body);
      assert.equal((await send(proxy.url, '/latest/meta-data/tags/instance/Name/', withToken)).text, 'aemm-default');
      await proxy.close();
      const text = await readFile(output, 'utf8');
      for (const secret of secretsOf(source)) assert.ok(!text.includes(secret), 'a real secret reached the file');
      const recorded = await loadCassette(output);
      const keys = [ROLE_PATH + role, '/latest/meta-data/tags/instance/Name', '/latest/user-data'];
      assert.deepEqual(Object.keys(recorded.entries), ['/', ...keys]);
      assert.deepEqual(recorded.meta.redacted, keys);
      assert.equal(recorded.entries['/latest/user-data']!.body, 'REDACTED');
      assert.equal(recorded.entries['/latest/meta-data/tags/instance/Name']!.body, 'REDACTED');
      assert.match((JSON.parse(recorded.entries[ROLE_PATH + role]!.body!) as Record<string, string>).AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
      const probe = upstream.hits.find((hit) => hit.path === ROLE_PATH + role);
      assert.equal(probe?.headers['x-aws-ec2-metadata-token'], token, 'the probe asks as the client did');
    });

    test("botocore's placement/availability-zone/ replays as the leaf", async () => {
      const output = join(dir, 'botocore.json');
      const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0 });
      assert.equal((await send(proxy.url, '/latest/meta-data/placement/availability-zone/')).text, 'us-east-1a');
      await proxy.close();
      const recorded = await loadCassette(output);
      assert.deepEqual(Object.keys(recorded.entries), ['/', '/latest/meta-data/placement/availability-zone']);
      const replay = await startServer({ cassette: recorded, port: 0 });
      try {
        for (const path of ['/latest/meta-data/placement/availability-zone/', '/latest/meta-data/placement/availability-zone']) {
          const response = await send(replay.url, path);
          assert.deepEqual([response.status, response.text], [200, 'us-east-1a'], path);
        }
      } finally {
        await replay.close();
      }
    });

    test('are told from directories by the recorded listings, and by one probe of the upstream when none says', async () => {
      const output = join(dir, 'kinds.json');
      const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0 });
      await send(proxy.url, '/latest/meta-data/placement/');
      await send(proxy.url, '/latest/meta-data/placement/region/');
      await send(proxy.url, '/latest/meta-data/placement/region/');
      await send(proxy.url, '/latest/meta-data/iam/');
      await proxy.close();
      assert.deepEqual(
        forwarded(upstream).map((hit) => hit.path),
        [
          '/latest/meta-data/placement/',
          '/latest/meta-data/placement',
          '/latest/meta-data/placement/region/',
          '/latest/meta-data/placement/region/',
          '/latest/meta-data/iam/',
          '/latest/meta-data/iam',
        ],
      );
      assert.deepEqual(Object.keys((await loadCassette(output)).entries), [
        '/',
        '/latest/meta-data/iam/',
        '/latest/meta-data/placement/',
        '/latest/meta-data/placement/region',
      ]);
    });
  });

  test('keeps the directory, not a leaf of the same name, behind an upstream that strips trailing slashes', async () => {
    const stripping = await startFakeUpstream({
      cassette: source,
      // As AEMM does: a directory asked without its slash answers 200 with the listing.
      intercept: (hit) => {
        const listing = hit.path.endsWith('/') ? undefined : source.entries[`${hit.path}/`];
        return listing ? { status: 200, body: listing.body } : undefined;
      },
    });
    const output = join(dir, 'stripping.json');
    const proxy = await startRecordingProxy({ upstream: stripping.url, output, port: 0 });
    try {
      for (const path of [
        '/latest/meta-data/placement',
        '/latest/meta-data/placement/region',
        '/latest/meta-data/iam/info',
        '/latest/meta-data/iam',
      ]) {
        assert.equal((await send(proxy.url, path)).status, 200, path);
      }
    } finally {
      await proxy.close();
      await stripping.close();
    }
    const { entries } = await loadCassette(output);
    assert.deepEqual(Object.keys(entries), [
      '/',
      '/latest/meta-data/iam/',
      '/latest/meta-data/iam/info',
      '/latest/meta-data/placement/',
      '/latest/meta-data/placement/region',
    ]);
    assert.equal(entries['/latest/meta-data/placement/']!.body, source.entries['/latest/meta-data/placement/']!.body);
    assert.equal(entries['/latest/meta-data/iam/']!.body, source.entries['/latest/meta-data/iam/']!.body);
  });

  describe('when the upstream misbehaves', () => {
    test('answers 502 and records nothing for an answer larger than 1 MiB', async () => {
      const big = await startFakeUpstream({
        cassette: source,
        intercept: (hit) => (hit.path === '/latest/user-data' ? { status: 200, body: 'x'.repeat(1024 * 1024 + 1) } : undefined),
      });
      const output = join(dir, 'big.json');
      const proxy = await startRecordingProxy({ upstream: big.url, output, port: 0 });
      try {
        const response = await send(proxy.url, '/latest/user-data');
        assert.equal(response.status, 502);
        assert.match(
          response.text,
          /^aemm record: upstream http:\/\/127\.0\.0\.1:\d+ answered \/latest\/user-data with more than 1 MiB, which is no IMDS answer; nothing was forwarded or recorded\.\n$/,
        );
        assert.equal((await send(proxy.url, '/latest/meta-data/instance-id')).status, 200, 'the proxy keeps working');
      } finally {
        await proxy.close();
        await big.close();
      }
      assert.deepEqual(Object.keys((await loadCassette(output)).entries), ['/', '/latest/meta-data/instance-id']);
    });

    test('gives each answer a deadline, also one that keeps trickling in, and calls it a timeout', async () => {
      const slow = await startSlowUpstream();
      const logs: ProxyRequestLog[] = [];
      const output = join(dir, 'deadline.json');
      const proxy = await startRecordingProxy({ upstream: slow.url, output, port: 0, timeoutMs: 300, onRequest: (log) => logs.push(log) });
      try {
        for (const path of ['/latest/meta-data/trickle', '/latest/meta-data/hang']) {
          const started = performance.now();
          const response = await send(proxy.url, path);
          assert.equal(response.status, 504, path);
          assert.equal(
            response.text,
            `aemm record: upstream ${slow.url} did not answer ${path} within 300 ms (timed out); nothing was recorded.\n`,
          );
          assert.ok(performance.now() - started < 1200, `${path} was held past its deadline`);
        }
      } finally {
        const stats = await proxy.close();
        await slow.close();
        assert.equal(stats.writes, 0);
      }
      assert.deepEqual(
        logs.map((log) => [log.status, log.from, log.recorded]),
        [
          [504, 'proxy', false],
          [504, 'proxy', false],
        ],
      );
      await assert.rejects(readFile(output), { code: 'ENOENT' });
    });

    test('refuses a timeout that is not more than 0', async () => {
      await assert.rejects(startRecordingProxy({ upstream: upstream.url, output: join(dir, 'zero.json'), port: 0, timeoutMs: 0 }), {
        code: 'USAGE',
        message: /^Timeout 0 ms is not more than 0\./,
      });
    });
  });

  describe('writing', () => {
    test('close() fails, naming how many entries were not written and why, when the last write failed', async () => {
      const gone = await mkdtemp(join(dir, 'gone-'));
      const errors: Error[] = [];
      const proxy = await startRecordingProxy({
        upstream: upstream.url,
        output: join(gone, 'out.json'),
        port: 0,
        debounceMs: 60_000,
        onWriteError: (error) => errors.push(error),
      });
      await send(proxy.url, '/latest/meta-data/instance-id');
      await send(proxy.url, '/latest/meta-data/instance-type');
      await rm(gone, { recursive: true });
      await proxy.flush();
      assert.equal(errors.length, 1, 'a failed write is reported while running');
      assert.deepEqual([proxy.stats().unwritten, proxy.stats().writes], [3, 0]);
      assert.match(proxy.stats().writeError!, /its directory does not exist/);
      await assert.rejects(proxy.close(), {
        code: 'CASSETTE_WRITE',
        message:
          /^3 entries recorded by the proxy were not written: Failed to write cassette ".*out\.json": its directory does not exist\. [^\n]*$/,
      });
      assert.equal(errors.length, 1, 'close() reports its own failure once, as its rejection');
    });

    test('a later write that succeeds clears an earlier failure', async () => {
      const gone = await mkdtemp(join(dir, 'back-'));
      const output = join(gone, 'out.json');
      const proxy = await startRecordingProxy({
        upstream: upstream.url,
        output,
        port: 0,
        debounceMs: 60_000,
        onWriteError: () => undefined,
      });
      await rm(gone, { recursive: true });
      await send(proxy.url, '/latest/meta-data/instance-id');
      await proxy.flush();
      assert.equal(proxy.stats().unwritten, 2);
      await mkdir(gone);
      const stats = await proxy.close();
      assert.deepEqual([stats.unwritten, stats.writes, stats.writeError], [0, 1, undefined]);
      assert.deepEqual(Object.keys((await loadCassette(output)).entries), ['/', '/latest/meta-data/instance-id']);
    });

    test('makes the file readable by its owner only when it keeps live credentials', async () => {
      const output = join(dir, 'clear.json');
      const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0, redact: false });
      const role = source.entries[ROLE_PATH]!.body!;
      await send(proxy.url, ROLE_PATH + role);
      await proxy.close();
      assert.equal((await loadCassette(output)).entries[ROLE_PATH + role]!.body, source.entries[ROLE_PATH + role]!.body);
      assert.equal((await stat(output)).mode & 0o777, 0o600);
    });
  });

  test('records only whole 200 answers to GET, debounces writes, and flushes on close', async () => {
    const output = join(dir, 'debounce.json');
    const proxy = await startRecordingProxy({ upstream: upstream.url, output, port: 0, mode: 'overwrite', debounceMs: 60_000 });
    const paths = Object.keys(source.entries)
      .filter((key) => key.startsWith('/latest/meta-data/') && !key.endsWith('/'))
      .slice(0, 20);
    await Promise.all(paths.map((path) => send(proxy.url, path)));
    await send(proxy.url, '/latest/meta-data/ami-id', { method: 'HEAD' });
    await send(proxy.url, '/latest/meta-data/nope');
    await send(proxy.url, '/latest/meta-data/iam');
    assert.equal(proxy.stats().writes, 0, 'nothing written within the debounce');
    const stats = await proxy.close();
    assert.equal(stats.writes, 1);
    assert.deepEqual(Object.keys((await loadCassette(output)).entries), ['/', ...paths].sort());
  });
});
