import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { AemmError, defaultCassette, imdsHandlers, type ImdsHandlers } from '../../src/msw/index.js';
import { DEFAULT_CASSETTE_PATH, loadCassette } from '../../src/cassette/load-cassette.js';
import { startServer } from '../../src/server/start-server.js';
import { withImdsEndpoint } from '../helpers/imds-env.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';
import { guardNetwork, type NetworkGuard } from './guard-network.js';
import { sendRaw } from './send-raw.js';

const IMDS = 'http://169.254.169.254';
const recorded = (path: string): string => defaultCassette.entries[path]!.body!;
const ROLE = recorded('/latest/meta-data/iam/security-credentials/');

// Nothing here may reach a real address: msw answers or fails every request ('error'), and the
// guard refuses any real non-loopback connection that would slip past it.
const server = setupServer();
let guard: NetworkGuard;
const matched: string[] = [];
before(() => {
  guard = guardNetwork();
  server.listen({ onUnhandledRequest: 'error' });
  server.events.on('request:match', ({ request }) => matched.push(`${request.method} ${request.url}`));
});
after(() => {
  server.close();
  guard.restore();
});

/** Runs `send` with console.error captured, and returns what was printed. */
async function captureErrors(send: () => Promise<unknown>): Promise<string[]> {
  const printed: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  try {
    await send();
  } finally {
    console.error = original;
  }
  return printed;
}

/** Asserts that msw found no handler for the request: it fails and msw says so, and nothing is sent. */
async function assertUnhandled(request: () => Promise<unknown>): Promise<void> {
  const printed = await captureErrors(() => assert.rejects(request()));
  assert.match(printed.join('\n'), /without a matching request handler/);
}

function use(imds: ImdsHandlers): ImdsHandlers {
  server.resetHandlers(...imds.handlers);
  return imds;
}

function metadataService(options: { disableFetchToken?: boolean } = {}): MetadataService {
  return new MetadataService({ endpoint: IMDS, retries: 0, httpOptions: { timeout: 2000 }, ...options });
}

function credentials(extra: { ec2MetadataV1Disabled?: boolean } = {}): ReturnType<ReturnType<typeof fromInstanceMetadata>> {
  return withImdsEndpoint(IMDS, () => fromInstanceMetadata({ timeout: 2000, maxRetries: 0, ...extra })());
}

for (const imdsv2 of ['optional', 'required'] as const) {
  describe(`real AWS SDK clients through msw/node (IMDSv2 ${imdsv2})`, () => {
    beforeEach(() => use(imdsHandlers({ cassette: defaultCassette, imdsv2 })));

    test('MetadataService reads instance-id, a listing and the identity document with a token', async () => {
      const client = metadataService();
      assert.equal(await client.request('/latest/meta-data/instance-id', {}), recorded('/latest/meta-data/instance-id'));
      assert.equal(await client.request('/latest/meta-data/', {}), recorded('/latest/meta-data/'));
      assert.equal(
        await client.request('/latest/dynamic/instance-identity/document', {}),
        recorded('/latest/dynamic/instance-identity/document'),
      );
    });

    test('MetadataService with tokens off reads without one only when tokens are optional', async () => {
      const read = metadataService({ disableFetchToken: true }).request('/latest/meta-data/instance-type', {});
      if (imdsv2 === 'required') await assert.rejects(read, /401/);
      else assert.equal(await read, recorded('/latest/meta-data/instance-type'));
    });

    test('fromInstanceMetadata resolves fresh credentials with a token', async () => {
      const doc = JSON.parse(recorded(`/latest/meta-data/iam/security-credentials/${ROLE}`)) as Record<string, string>;
      const creds = await credentials();
      assert.equal(creds.accessKeyId, doc.AccessKeyId);
      assert.equal(creds.secretAccessKey, doc.SecretAccessKey);
      assert.equal(creds.sessionToken, doc.Token);
      assert.ok(creds.expiration instanceof Date && creds.expiration.getTime() > Date.now() + 60 * 60_000);
    });

    test('fromInstanceMetadata with IMDSv1 disabled still resolves (tokens are used)', async () => {
      const creds = await credentials({ ec2MetadataV1Disabled: true });
      assert.match(creds.accessKeyId, /^ASIA[A-Z0-9]{16}$/);
    });

    test('fromInstanceMetadata falls back to IMDSv1 when the token PUT is refused, which only optional mode accepts', async () => {
      // A handler placed in front of ours, as a test would override one route: token PUTs get 403.
      server.use(http.put(`${IMDS}/latest/api/token`, () => new HttpResponse(null, { status: 403 })));
      const resolving = credentials();
      if (imdsv2 === 'required') await assert.rejects(resolving, (error: { statusCode?: number }) => error.statusCode === 401);
      else assert.match((await resolving).accessKeyId, /^ASIA[A-Z0-9]{16}$/);
    });
  });
}

describe('the //latest trap of @aws-sdk/ec2-metadata-service', () => {
  beforeEach(() => use(imdsHandlers({ cassette: defaultCassette })));

  test('MetadataService paths that msw reads as host "latest" are answered', async () => {
    matched.length = 0;
    assert.equal(await metadataService().request('/latest/meta-data/placement/region', {}), recorded('/latest/meta-data/placement/region'));
    // The SDK sends `//latest/…`; msw's interceptor hands the handler http://latest/meta-data/….
    assert.deepEqual(matched, ['PUT http://169.254.169.254/latest/api/token', 'GET http://latest/meta-data/placement/region']);
  });

  test('a request to host "latest" whose Host header is not an IMDS address is left alone', async () => {
    await assertUnhandled(() => sendRaw('http://latest', '/meta-data/instance-id', { headers: { host: 'example.com' } }));
    const answered = await sendRaw('http://latest', '/meta-data/instance-id', { headers: { host: '169.254.169.254' } });
    assert.equal(answered.body.toString(), recorded('/latest/meta-data/instance-id'));
  });
});

describe('imdsHandlers over fetch and node:http', () => {
  let imds: ImdsHandlers;
  beforeEach(() => {
    imds = use(imdsHandlers({ cassette: defaultCassette }));
  });

  test('answers on the IPv6 address too', async () => {
    const response = await fetch('http://[fd00:ec2::254]/latest/meta-data/instance-id');
    assert.equal(await response.text(), recorded('/latest/meta-data/instance-id'));
  });

  test('serves IMDS headers and HEAD without a body', async () => {
    const get = await fetch(`${IMDS}/latest/meta-data/ami-id`);
    assert.equal(get.headers.get('server'), 'EC2ws');
    assert.equal(get.headers.get('content-type'), 'text/plain');
    assert.equal(get.headers.get('content-length'), String(recorded('/latest/meta-data/ami-id').length));
    const head = await sendRaw(IMDS, '/latest/meta-data/ami-id', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], get.headers.get('content-length'));
    assert.equal(head.body.length, 0);
  });

  test('answers a directory without its slash with a 301 that is not followed for the client', async () => {
    const viaHttp = await sendRaw(IMDS, '/latest/meta-data/iam');
    assert.equal(viaHttp.status, 301);
    assert.equal(viaHttp.headers.location, `${IMDS}/latest/meta-data/iam/`);
    const viaFetch = await fetch(`${IMDS}/latest/meta-data/iam`, { redirect: 'manual' });
    assert.equal(viaFetch.status, 301);
    assert.equal(viaFetch.headers.get('location'), `${IMDS}/latest/meta-data/iam/`);
  });

  test('user-data comes back byte for byte as application/octet-stream', async () => {
    const response = await fetch(`${IMDS}/latest/user-data`);
    assert.equal(response.headers.get('content-type'), 'application/octet-stream');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), Buffer.from(recorded('/latest/user-data')));
  });

  test('a token from PUT works on GET; a forged one gets 401', async () => {
    const put = await fetch(`${IMDS}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '120' } });
    assert.equal(put.status, 200);
    assert.equal(put.headers.get('x-aws-ec2-metadata-token-ttl-seconds'), '120');
    const token = await put.text();
    const ok = await fetch(`${IMDS}/latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': token } });
    assert.equal(ok.status, 200);
    const forged = `${token.slice(0, -4)}AAAA`;
    assert.equal((await fetch(`${IMDS}/latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': forged } })).status, 401);
  });

  test('tokens issued in the same instant differ (random nonces)', async () => {
    const put = (): Promise<string> =>
      fetch(`${IMDS}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } }).then((r) => r.text());
    const [a, b] = await Promise.all([put(), put()]);
    assert.notEqual(a, b);
  });

  test("control drives the engine's own control, and adds signal for scenarios", () => {
    imds.control.advance('1m');
    assert.equal(imds.engine.control.status().offsetMs, 60_000);
    assert.deepEqual({ ...imds.control.reset(), now: undefined }, { ...imds.engine.control.status(), now: undefined, speed: 1 });
    assert.throws(() => imds.control.signal('go'), /No scenario is loaded, so nothing waits for "go"/);
  });

  test('control.setTokenMode("required") makes tokenless requests 401 until reset', async () => {
    imds.control.setTokenMode('required');
    assert.equal((await fetch(`${IMDS}/latest/meta-data/instance-id`)).status, 401);
    imds.control.reset();
    assert.equal((await fetch(`${IMDS}/latest/meta-data/instance-id`)).status, 200);
  });
});

describe('time travel with control.advance and control.setTime', () => {
  // In the future, so the SDK's static-stability check does not see expired credentials.
  const start = Date.parse('2031-03-01T10:20:00Z');
  let imds: ImdsHandlers;
  beforeEach(() => {
    imds = use(imdsHandlers({ cassette: defaultCassette, clock: () => start }));
  });

  test('a token expires once the clock is advanced past its TTL, without waiting', async () => {
    const token = await metadataService().fetchMetadataToken();
    assert.equal(token.length, 56);
    const withToken = { headers: { 'x-aws-ec2-metadata-token': token } };
    const short = await (
      await fetch(`${IMDS}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } })
    ).text();
    const withShort = { headers: { 'x-aws-ec2-metadata-token': short } };
    assert.equal((await fetch(`${IMDS}/latest/meta-data/instance-id`, withShort)).status, 200);
    assert.equal(imds.control.advance('2m').now, '2031-03-01T10:22:00.000Z');
    assert.equal((await fetch(`${IMDS}/latest/meta-data/instance-id`, withShort)).status, 401);
    assert.equal((await fetch(`${IMDS}/latest/meta-data/instance-id`, withToken)).status, 200);
  });

  test('credentials follow the replay clock: setTime moves LastUpdated and Expiration', async () => {
    const before = JSON.parse(await (await fetch(`${IMDS}/latest/meta-data/iam/security-credentials/${ROLE}`)).text()) as Record<
      string,
      string
    >;
    assert.equal(before.LastUpdated, '2031-03-01T10:00:00Z');
    imds.control.setTime('2031-03-02T15:45:00Z');
    const creds = await credentials();
    assert.equal(creds.expiration?.toISOString(), '2031-03-02T21:00:00.000Z');
  });
});

describe('onMiss', () => {
  const missing = `${IMDS}/latest/meta-data/not-recorded`;

  test('"not-found" (default) answers the IMDS 404 page', async () => {
    use(imdsHandlers({ cassette: defaultCassette }));
    const response = await fetch(missing);
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'text/html');
    assert.match(await response.text(), /<title>404 - Not Found<\/title>/);
  });

  test('"passthrough" leaves the request to the handlers after ours', async () => {
    server.resetHandlers(
      ...imdsHandlers({ cassette: defaultCassette, onMiss: 'passthrough' }).handlers,
      http.get(missing, () => HttpResponse.text('from the next handler')),
    );
    assert.equal(await (await fetch(missing)).text(), 'from the next handler');
    assert.equal(await (await fetch(`${IMDS}/latest/meta-data/instance-id`)).text(), recorded('/latest/meta-data/instance-id'));
  });

  test('"passthrough" with no handler after ours sends the request on, here to a replay server on loopback', async () => {
    const upstream = await startServer({ cassette: createTinyCassette(), port: 0 });
    try {
      use(imdsHandlers({ cassette: defaultCassette, baseUrls: [upstream.url], onMiss: 'passthrough' }));
      assert.equal(await (await fetch(`${upstream.url}/latest/meta-data/instance-id`)).text(), recorded('/latest/meta-data/instance-id'));
      // Not in the default cassette, so the request reaches the server, which serves the tiny one.
      assert.equal(await (await fetch(`${upstream.url}/latest/meta-data/tags/instance/team+ops`)).text(), 'sre');
    } finally {
      await upstream.close();
    }
  });

  test('"error" fails the request and prints which path is missing', async () => {
    use(imdsHandlers({ cassette: defaultCassette, onMiss: 'error' }));
    const printed = await captureErrors(() => assert.rejects(fetch(missing), TypeError));
    assert.equal(printed.length, 1);
    assert.match(printed[0]!, /GET http:\/\/169\.254\.169\.254\/latest\/meta-data\/not-recorded has no answer in the cassette/);
    assert.equal((await fetch(`${IMDS}/latest/meta-data/instance-id`)).status, 200);
  });
});

describe('baseUrls', () => {
  test('answers on the given origins only', async () => {
    use(imdsHandlers({ cassette: defaultCassette, baseUrls: ['http://imds.test:8080'] }));
    assert.equal(
      await (await fetch('http://imds.test:8080/latest/meta-data/instance-id')).text(),
      recorded('/latest/meta-data/instance-id'),
    );
    const redirect = await fetch('http://imds.test:8080/latest/meta-data/iam', { redirect: 'manual' });
    assert.equal(redirect.headers.get('location'), 'http://imds.test:8080/latest/meta-data/iam/');
    await assertUnhandled(() => fetch(`${IMDS}/latest/meta-data/instance-id`));
  });

  test('the //latest trap is answered for a custom origin with a port', async () => {
    use(imdsHandlers({ cassette: defaultCassette, baseUrls: ['http://imds.test:8080'] }));
    const client = new MetadataService({ endpoint: 'http://imds.test:8080', retries: 0, httpOptions: { timeout: 2000 } });
    assert.equal(await client.request('/latest/meta-data/instance-id', {}), recorded('/latest/meta-data/instance-id'));
  });
});

describe('bad options', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['no cassette', () => imdsHandlers({} as never), /needs a cassette object/],
    [
      'a broken cassette',
      () => imdsHandlers({ cassette: { format: 'aemm-cassette/1' } as never }),
      /Failed to load cassette "imdsHandlers\(\{ cassette \}\)": it has no "meta" object/,
    ],
    ['an unknown onMiss', () => imdsHandlers({ cassette: defaultCassette, onMiss: 'bypass' as never }), /onMiss "bypass" is unknown/],
    ['an unknown imdsv2', () => imdsHandlers({ cassette: defaultCassette, imdsv2: true as never }), /imdsv2 "true" is unknown/],
    [
      'a base URL with a path',
      () => imdsHandlers({ cassette: defaultCassette, baseUrls: ['http://169.254.169.254/latest'] }),
      /Base URL "http:\/\/169\.254\.169\.254\/latest" has more than scheme, host and port/,
    ],
    [
      'a base URL that is not a URL',
      () => imdsHandlers({ cassette: defaultCassette, baseUrls: ['169.254.169.254'] }),
      /Base URL "169\.254\.169\.254" is not a URL/,
    ],
    ['no base URLs', () => imdsHandlers({ cassette: defaultCassette, baseUrls: [] }), /baseUrls is empty/],
  ];
  for (const [name, run, message] of cases) {
    test(`${name} is refused with a one-line message`, () => {
      assert.throws(run, (error: unknown) => error instanceof AemmError && message.test(error.message) && !error.message.includes('\n'));
    });
  }
});

describe('defaultCassette', () => {
  test('is the shipped recordings/default.json', async () => {
    assert.deepEqual(defaultCassette, await loadCassette(DEFAULT_CASSETTE_PATH));
  });

  test("is frozen, so one test cannot change another's instance", () => {
    assert.throws(() => {
      (defaultCassette.entries as Record<string, unknown>)['/latest/meta-data/x'] = {};
    }, TypeError);
  });
});

test('no request left the process', () => {
  assert.deepEqual(guard.refused, []);
});
