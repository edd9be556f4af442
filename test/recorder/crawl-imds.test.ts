import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { loadCassette } from '../../src/cassette/load-cassette.js';
import type { Cassette, Entry } from '../../src/core/cassette.js';
import { crawlImds } from '../../src/recorder/crawl-imds.js';
import { startServer } from '../../src/server/start-server.js';
import { send } from '../helpers/http.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';
import { startFakeUpstream } from './fake-upstream.js';

// Fields that differ between a source and its recording on purpose: faked secrets, and the
// timestamps the replay server's fresh-credentials layer rewrites.
const VOLATILE_FIELDS = /("(?:AccessKeyId|SecretAccessKey|Token|LastUpdated|Expiration)"\s*:\s*")[^"]*"/g;
const FAST = { ratePerSecond: Infinity, retryDelayMs: 2 };

function normalise(entry: Entry | undefined): Entry | undefined {
  return entry?.body === undefined ? entry : { ...entry, body: entry.body.replace(VOLATILE_FIELDS, '$1*"') };
}

function secretsOf(cassette: Cassette): string[] {
  return Object.values(cassette.entries).flatMap((entry) => {
    if (!entry.body?.includes('"AccessKeyId"')) return [];
    const doc = JSON.parse(entry.body) as Record<string, string>;
    return [doc.AccessKeyId!, doc.SecretAccessKey!, doc.Token!];
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('crawlImds', () => {
  let source: Cassette;
  before(async () => {
    source = await loadCassette();
  });

  describe('round trip through our own replay server', () => {
    let server: Awaited<ReturnType<typeof startServer>>;
    let recorded: Cassette;
    const progress: Array<{ done: number; found: number; errors: number }> = [];
    before(async () => {
      server = await startServer({ cassette: source, port: 0 });
      // Default concurrency and rate: the way a user runs it.
      const result = await crawlImds({ upstream: server.url, onProgress: (p) => progress.push(p) });
      assert.deepEqual(result.errors, []);
      assert.equal(result.imdsVersion, 'v2');
      recorded = result.cassette;
    });
    after(() => server.close());

    test('records every entry of the source, byte for byte apart from faked secrets and fresh timestamps', () => {
      assert.deepEqual(Object.keys(recorded.entries), Object.keys(source.entries).sort());
      for (const key of Object.keys(source.entries)) {
        assert.deepEqual(normalise(recorded.entries[key]), normalise(source.entries[key]), key);
      }
    });

    test('fakes credentials with the same shape and never keeps a real secret', () => {
      const secrets = secretsOf(source);
      assert.equal(secrets.length, 6);
      const text = JSON.stringify(recorded);
      for (const secret of secrets) assert.ok(!text.includes(secret), `secret ${secret.slice(0, 8)}… leaked`);
      for (const key of recorded.meta.redacted) {
        const fake = JSON.parse(recorded.entries[key]!.body!) as Record<string, string>;
        const real = JSON.parse(source.entries[key]!.body!) as Record<string, string>;
        assert.match(fake.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
        assert.match(fake.SecretAccessKey!, /^[A-Za-z0-9+/]{40}$/);
        assert.equal(fake.Token!.length, real.Token!.length);
        assert.match(fake.Token!, /^[A-Za-z0-9+/]+=*$/);
      }
    });

    test('fills meta from the crawled leaves', () => {
      const { meta } = recorded;
      assert.equal(meta.source, server.url);
      assert.match(meta.recorder, /^aemm \d+\.\d+\.\d+/);
      assert.match(meta.recordedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.deepEqual(
        [meta.instanceType, meta.region, meta.availabilityZone, meta.synthetic],
        ['m5.large', 'us-east-1', 'us-east-1a', false],
      );
      assert.deepEqual(meta.redacted, [
        '/latest/meta-data/iam/security-credentials/baskinc-role',
        '/latest/meta-data/identity-credentials/ec2/security-credentials/ec2-instance',
      ]);
    });

    test('replaying the recording serves the same bytes as the source', async () => {
      const replay = await startServer({ cassette: recorded, port: 0 });
      try {
        for (const key of Object.keys(source.entries)) {
          const [want, got] = await Promise.all([send(server.url, key), send(replay.url, key)]);
          assert.equal(got.status, want.status, key);
          assert.equal(got.headers['content-type'], want.headers['content-type'], key);
          if (recorded.meta.redacted.includes(key))
            assert.equal(got.text.replace(VOLATILE_FIELDS, ''), want.text.replace(VOLATILE_FIELDS, ''), key);
          else assert.ok(got.body.equals(want.body), key);
        }
      } finally {
        await replay.close();
      }
    });

    test('reports progress up to every path found', () => {
      const last = progress.at(-1)!;
      assert.equal(last.done, last.found);
      assert.equal(last.errors, 0);
      assert.ok(last.found >= Object.keys(source.entries).length);
      assert.ok(progress.every((p) => p.done <= p.found));
    });
  });

  test('crawls an upstream that requires IMDSv2 tokens', async () => {
    const server = await startServer({ cassette: source, port: 0, imdsv2: true });
    try {
      const result = await crawlImds({ upstream: server.url, ...FAST });
      assert.deepEqual(result.errors, []);
      assert.equal(result.imdsVersion, 'v2');
      assert.deepEqual(Object.keys(result.cassette.entries), Object.keys(source.entries).sort());
    } finally {
      await server.close();
    }
  });

  test('crawls an IPv6 upstream, as http://[fd00:ec2::254] is', async (t) => {
    const server = await startServer({ cassette: source, port: 0, hostname: '::1' }).catch(() => undefined);
    if (!server) return t.skip('no IPv6 loopback on this machine');
    try {
      const result = await crawlImds({ upstream: server.url, ...FAST });
      assert.match(server.url, /^http:\/\/\[::1\]:\d+$/);
      assert.deepEqual(result.errors, []);
      assert.equal(Object.keys(result.cassette.entries).length, Object.keys(source.entries).length);
      assert.equal(result.cassette.meta.source, server.url);
    } finally {
      await server.close();
    }
  });

  test('falls back to IMDSv1 when the upstream refuses tokens with 403', async () => {
    const upstream = await startFakeUpstream({ cassette: source, refuseTokens: true });
    try {
      const result = await crawlImds({ upstream: upstream.url, ...FAST });
      assert.deepEqual(result.errors, []);
      assert.equal(result.imdsVersion, 'v1');
      assert.deepEqual(Object.keys(result.cassette.entries), Object.keys(source.entries).sort());
      assert.equal(upstream.hits.filter((hit) => hit.method === 'PUT').length, 1);
      assert.ok(upstream.hits.every((hit) => hit.headers['x-aws-ec2-metadata-token'] === undefined));
    } finally {
      await upstream.close();
    }
  });

  test('asks for a new token once when the upstream starts answering 401', async () => {
    const upstream = await startFakeUpstream({ cassette: source, imdsv2: true, revokeTokensAfter: 20 });
    try {
      const result = await crawlImds({ upstream: upstream.url, ...FAST });
      assert.deepEqual(result.errors, []);
      assert.equal(Object.keys(result.cassette.entries).length, Object.keys(source.entries).length);
      assert.equal(upstream.hits.filter((hit) => hit.method === 'PUT').length, 2);
    } finally {
      await upstream.close();
    }
  });

  test('backs off from an upstream that answers 429 above 400 requests per second, and records everything', async () => {
    const accepted: number[] = [];
    const upstream = await startFakeUpstream({
      cassette: source,
      intercept: (hit) => {
        // A sliding 20 ms window holding at most 8 accepted requests, as a throttling IMDS would allow.
        while (accepted.length > 0 && accepted[0]! <= hit.at - 20) accepted.shift();
        if (accepted.length >= 8) return { status: 429 };
        accepted.push(hit.at);
        return undefined;
      },
    });
    try {
      // No rate limit of our own, so the upstream's throttling is what the crawl meets.
      const result = await crawlImds({ upstream: upstream.url, ratePerSecond: Infinity, concurrency: 8, retries: 8, retryDelayMs: 10 });
      assert.deepEqual(result.errors, []);
      assert.deepEqual(Object.keys(result.cassette.entries), Object.keys(source.entries).sort());
      assert.ok(
        upstream.hits.length > Object.keys(source.entries).length + 2,
        `${upstream.hits.length} requests: the upstream throttled some`,
      );
    } finally {
      await upstream.close();
    }
  });

  test('retries through dropped connections and records everything', async () => {
    const drops = new Map<string, number>();
    const upstream = await startFakeUpstream({
      cassette: source,
      // Every fourth request loses its connection, the same path at most twice (within the retry budget).
      intercept: (hit) => {
        if (hit.n % 4 !== 0 || (drops.get(hit.path) ?? 0) >= 2) return undefined;
        drops.set(hit.path, (drops.get(hit.path) ?? 0) + 1);
        return 'drop';
      },
    });
    try {
      const result = await crawlImds({ upstream: upstream.url, ...FAST });
      assert.deepEqual(result.errors, []);
      assert.deepEqual(Object.keys(result.cassette.entries), Object.keys(source.entries).sort());
      assert.ok([...drops.values()].reduce((sum, count) => sum + count, 0) >= 20, 'connections were dropped');
    } finally {
      await upstream.close();
    }
  });

  test('reports exactly the paths that still fail after every retry, and records the rest', async () => {
    const failing: Record<string, 'drop' | 'hang' | { status: number }> = {
      '/latest/meta-data/ami-id': { status: 500 },
      '/latest/meta-data/hostname': 'drop',
      '/latest/meta-data/mac': 'hang',
    };
    const upstream = await startFakeUpstream({ cassette: source, intercept: (hit) => failing[hit.path] });
    try {
      const result = await crawlImds({ upstream: upstream.url, ...FAST, retries: 2, timeoutMs: 150 });
      assert.deepEqual(
        result.errors.map((error) => error.path),
        Object.keys(failing),
      );
      assert.match(result.errors[0]!.reason, /^HTTP 500 \(3 attempts\)$/);
      assert.match(result.errors[1]!.reason, /^connection reset \(ECONNRESET\) \(3 attempts\)$/);
      assert.match(result.errors[2]!.reason, /^timed out after 150 ms \(3 attempts\)$/);
      const missing = Object.keys(source.entries).filter((key) => !(key in result.cassette.entries));
      assert.deepEqual(missing, Object.keys(failing));
      assert.equal(upstream.hits.filter((hit) => hit.path === '/latest/meta-data/ami-id').length, 3);
    } finally {
      await upstream.close();
    }
  });

  test('captures the shapes real clients parse: public-keys 0=name, encoded tag keys, binary user-data', async () => {
    const tiny = createTinyCassette();
    const upstream = await startFakeUpstream({
      cassette: tiny,
      intercept: (hit) =>
        hit.path === '/latest/meta-data/ami-id'
          ? { status: 200, headers: { 'last-modified': 'Thu, 01 Jan 2026 00:00:00 GMT', server: 'EC2ws' }, body: 'ami-0123' }
          : undefined,
    });
    try {
      const result = await crawlImds({ upstream: upstream.url, ...FAST });
      assert.deepEqual(result.errors, []);
      const { entries } = result.cassette;
      const latest = Object.keys(tiny.entries)
        .filter((key) => key.startsWith('/latest/'))
        .sort();
      assert.deepEqual(Object.keys(entries), ['/', ...latest]);
      assert.equal(entries['/latest/meta-data/public-keys/0/openssh-key']!.body, 'ssh-rsa AAAA my-key');
      assert.equal(entries['/latest/meta-data/tags/instance/team+ops']!.body, 'sre');
      assert.ok(upstream.hits.some((hit) => hit.path === '/latest/meta-data/tags/instance/team%2Bops'));
      assert.deepEqual(entries['/latest/user-data'], tiny.entries['/latest/user-data']);
      assert.deepEqual(entries['/latest/meta-data/ami-id']!.headers, {
        'content-type': 'text/plain',
        'last-modified': 'Thu, 01 Jan 2026 00:00:00 GMT',
      });
      assert.ok(!Object.keys(entries).some((key) => key.includes('/api/')));
      assert.ok(!JSON.stringify(result.cassette).includes(upstream.tokens[0]!));
    } finally {
      await upstream.close();
    }
  });

  test('treats a missing user-data (404) as none, and lists other listed paths that answer 404', async () => {
    const cassette = createTinyCassette();
    delete cassette.entries['/latest/user-data'];
    const upstream = await startFakeUpstream({
      cassette,
      intercept: (hit) => (hit.path === '/latest/meta-data/instance-id' ? { status: 404 } : undefined),
    });
    try {
      const result = await crawlImds({ upstream: upstream.url, ...FAST });
      assert.deepEqual(result.errors, []);
      assert.deepEqual(result.notFound, ['/latest/meta-data/instance-id']);
      assert.equal(result.cassette.entries['/latest/user-data'], undefined);
    } finally {
      await upstream.close();
    }
  });

  test('never starts more requests than the rate allows', async () => {
    const upstream = await startFakeUpstream({ cassette: source });
    try {
      await crawlImds({ upstream: upstream.url, ratePerSecond: 200, concurrency: 8 });
      const times = upstream.hits.map((hit) => hit.at);
      // 200/s: any 21 consecutive requests span at least 100 ms (a little less for loopback jitter).
      for (let i = 0; i + 20 < times.length; i++)
        assert.ok(times[i + 20]! - times[i]! >= 90, `requests ${i}..${i + 20} within ${times[i + 20]! - times[i]!} ms`);
    } finally {
      await upstream.close();
    }
  });

  test('stops when its signal aborts, and rejects with the abort reason', async () => {
    const upstream = await startFakeUpstream({ cassette: source, delayMs: 20 });
    const controller = new AbortController();
    try {
      const crawl = crawlImds({ upstream: upstream.url, ...FAST, concurrency: 2, signal: controller.signal });
      while (upstream.hits.length < 5) await new Promise((resolve) => setTimeout(resolve, 5));
      controller.abort();
      await assert.rejects(crawl, { name: 'AbortError' });
      const seen = upstream.hits.length;
      await new Promise((resolve) => setTimeout(resolve, 80));
      assert.equal(upstream.hits.length, seen, 'no request after the crawl rejected');
    } finally {
      await upstream.close();
    }
  });

  test('falls back to IMDSv1 with one warning when the token PUT times out but tokenless GETs answer (hop limit 1)', async () => {
    const upstream = await startFakeUpstream({ cassette: source, intercept: (hit) => (hit.method === 'PUT' ? 'hang' : undefined) });
    const warnings: string[] = [];
    try {
      // Long enough that a busy machine answers every GET in time; only the PUT waits it out.
      const result = await crawlImds({
        upstream: upstream.url,
        ...FAST,
        retries: 0,
        timeoutMs: 1000,
        onWarning: (message) => warnings.push(message),
      });
      assert.deepEqual(result.errors, []);
      assert.equal(result.imdsVersion, 'v1');
      assert.deepEqual(Object.keys(result.cassette.entries), Object.keys(source.entries).sort());
      assert.equal(warnings.length, 1);
      assert.match(
        warnings[0]!,
        /^The IMDSv2 token request to http:\/\/127\.0\.0\.1:\d+ timed out \(timed out after 1000 ms \(1 attempt\)\) but requests without a token work, so this recording uses IMDSv1\. Likely cause: a PUT response hop limit of 1 /,
      );
      assert.deepEqual(result.warnings, warnings);
      assert.ok(upstream.hits.every((hit) => hit.headers['x-aws-ec2-metadata-token'] === undefined));
    } finally {
      await upstream.close();
    }
  });

  test('says the token request timed out when requests without a token fail too', async () => {
    const upstream = await startFakeUpstream({
      cassette: source,
      imdsv2: true,
      intercept: (hit) => (hit.method === 'PUT' ? 'hang' : undefined),
    });
    try {
      await assert.rejects(crawlImds({ upstream: upstream.url, ...FAST, retries: 0, timeoutMs: 200 }), {
        code: 'UPSTREAM_TOKEN_TIMEOUT',
        message:
          /^The IMDSv2 token request to http:\/\/127\.0\.0\.1:\d+ \(PUT \/latest\/api\/token\) timed out: timed out after 200 ms \(1 attempt\), and requests without a token fail too\. From a container, raise the instance's PUT response hop limit to 2; otherwise check that address and the timeout\.$/,
      });
      assert.deepEqual(
        upstream.hits.map((hit) => `${hit.method} ${hit.path}`),
        ['PUT /latest/api/token', 'GET /latest/meta-data/'],
      );
    } finally {
      await upstream.close();
    }
  });

  test('refuses an answer larger than 1 MiB at once, without retries, and records the rest', async () => {
    const upstream = await startFakeUpstream({
      cassette: source,
      intercept: (hit) => (hit.path === '/latest/meta-data/ami-id' ? { status: 200, body: 'x'.repeat(1024 * 1024 + 1) } : undefined),
    });
    try {
      const result = await crawlImds({ upstream: upstream.url, ...FAST });
      assert.deepEqual(result.errors, [{ path: '/latest/meta-data/ami-id', reason: 'answer larger than 1 MiB; not recorded' }]);
      assert.equal(upstream.hits.filter((hit) => hit.path === '/latest/meta-data/ami-id').length, 1);
      assert.equal(Object.keys(result.cassette.entries).length, Object.keys(source.entries).length - 1);
    } finally {
      await upstream.close();
    }
  });

  test('refuses a timeout that is not more than 0 before sending anything', async () => {
    await assert.rejects(crawlImds({ upstream: 'http://127.0.0.1:1', timeoutMs: 0 }), {
      code: 'USAGE',
      message: /^Timeout 0 ms is not more than 0\./,
    });
  });

  test('rejects with one line when the upstream cannot be reached', async () => {
    const port = await freePort();
    await assert.rejects(crawlImds({ upstream: `http://127.0.0.1:${port}`, ...FAST, retries: 1 }), {
      code: 'UPSTREAM_UNREACHABLE',
      message: `Cannot reach upstream http://127.0.0.1:${port}: connection refused (ECONNREFUSED) (2 attempts). Check that address, and that the instance metadata service is enabled.`,
    });
  });

  test('rejects an upstream that is not an http:// origin before sending anything', async () => {
    await assert.rejects(crawlImds({ upstream: 'http://127.0.0.1:1/latest/' }), {
      code: 'USAGE',
      message: /has a path, query or credentials/,
    });
    await assert.rejects(crawlImds({ upstream: 'file:///etc/passwd' }), { code: 'USAGE', message: /is not an http:\/\/ URL/ });
  });
});
