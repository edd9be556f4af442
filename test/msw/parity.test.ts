import type { LayerSettings } from '../../src/core/layers/layer-settings.js';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setupServer } from 'msw/node';
import type { Entry } from '../../src/core/cassette.js';
import type { Layer } from '../../src/core/layer.js';
import { issueToken } from '../../src/core/tokens.js';
import { defaultCassette, imdsHandlers } from '../../src/msw/index.js';
import { startServer, type ImdsServer } from '../../src/server/start-server.js';
import { guardNetwork, type NetworkGuard } from './guard-network.js';
import { sendRaw, type RawExchange } from './send-raw.js';

// The same requests through `aemm replay`'s server and through the msw handlers, with the same
// cassette, layers, clock and secret, must get the same answers.
const IMDS = 'http://169.254.169.254';
const NOW = Date.parse('2031-05-05T12:34:56Z');
const SECRET = 'parity-secret';
const ROLE = defaultCassette.entries['/latest/meta-data/iam/security-credentials/']!.body!;
// Headers that describe one exchange over one socket, not the answer.
const EXCHANGE_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

// A user layer (mock layers come on top): adds a tag, replaces user-data with bytes that are not UTF-8, hides public-keys/.
const text = (body: string): Entry => ({ status: 200, headers: { 'content-type': 'text/plain' }, body });
const userPatch = new Map<string, Entry | null>([
  ['/latest/meta-data/tags/instance/Owner', text('qa')],
  ['/latest/user-data', { status: 200, headers: { 'content-type': 'application/octet-stream' }, bodyBase64: '/wABAoD+' }],
  ['/latest/meta-data/public-keys/', null],
]);
const userLayer: Layer = { name: 'user', patch: () => userPatch };

interface Row {
  method?: string;
  path: string;
  headers?: Record<string, string>;
}

function table(token: string, expired: string): Row[] {
  const ttl = (value: string): Record<string, string> => ({ 'x-aws-ec2-metadata-token-ttl-seconds': value });
  return [
    { path: '/' },
    { path: '/latest' },
    { path: '/latest/' },
    { path: '/latest/meta-data' },
    { path: '/latest/meta-data/' },
    { path: '/latest/meta-data/instance-id' },
    { path: '/latest/meta-data/instance-id/' },
    { path: '/latest/meta-data/iam' },
    { path: '/latest/meta-data/iam/security-credentials/' },
    { path: `/latest/meta-data/iam/security-credentials/${ROLE}` },
    { path: '/latest/meta-data/identity-credentials/ec2/security-credentials/ec2-instance' },
    { path: '/latest/dynamic/instance-identity' },
    { path: '/latest/dynamic/instance-identity/document' },
    { path: '/latest/user-data' },
    { path: '/latest/user-data/' },
    { path: '/latest/meta-data/tags/instance/' },
    { path: '/latest/meta-data/tags/instance/Owner' },
    { path: '/latest/meta-data/tags/instance/%4Eame' },
    { path: '/latest/meta-data/public-keys/' },
    { path: '/latest/meta-data/public-keys/0/openssh-key' },
    { path: '/2021-03-23/meta-data/instance-id' },
    { path: '/2021-03-23/meta-data/iam' },
    { path: '/2009-04-04/meta-data/' },
    { path: '/1999-01-01/meta-data/' },
    { path: '/latest/meta-data/not-recorded' },
    { path: '//latest/meta-data/instance-id' },
    { path: '//latest/meta-data/iam' },
    { path: '/latest/meta-data/instance-id?x=1' },
    { path: '/latest/meta-data/%ZZ' },
    { method: 'HEAD', path: '/latest/meta-data/instance-id' },
    { method: 'HEAD', path: '/latest/meta-data/not-recorded' },
    { method: 'HEAD', path: '/latest/meta-data/iam' },
    { method: 'PUT', path: '/latest/api/token', headers: ttl('21600') },
    { method: 'PUT', path: '/latest/api/token', headers: ttl('1') },
    { method: 'PUT', path: '/latest/api/token' },
    { method: 'PUT', path: '/latest/api/token', headers: ttl('0') },
    { method: 'PUT', path: '/latest/api/token', headers: ttl('21601') },
    { method: 'PUT', path: '/latest/api/token', headers: ttl('abc') },
    { method: 'PUT', path: '/2021-03-23/api/token', headers: ttl('60') },
    { method: 'PUT', path: '/latest/api/token/', headers: ttl('60') },
    { method: 'PUT', path: '/latest/api/token', headers: { ...ttl('60'), 'x-forwarded-for': '203.0.113.9' } },
    { path: '/latest/api/token' },
    { path: '/latest/meta-data/spot/' },
    { path: '/latest/meta-data/spot/instance-action' },
    { path: '/latest/meta-data/spot/termination-time' },
    { path: '/latest/meta-data/instance-life-cycle' },
    { path: '/latest/meta-data/events/' },
    { path: '/latest/meta-data/events/maintenance/scheduled' },
    { path: '/latest/meta-data/events/maintenance/history' },
    { path: '/latest/meta-data/events/recommendations/rebalance' },
    { path: '/latest/meta-data/autoscaling/target-lifecycle-state' },
    { path: '/latest/meta-data/tags/instance/Team' },
    { method: 'POST', path: '/latest/meta-data/' },
    { method: 'DELETE', path: '/latest/meta-data/instance-id' },
    { path: '/latest/meta-data/instance-id', headers: { 'x-aws-ec2-metadata-token': token } },
    { path: '/2021-03-23/meta-data/ami-id', headers: { 'x-aws-ec2-metadata-token': token } },
    { path: '/latest/meta-data/instance-id', headers: { 'x-aws-ec2-metadata-token': expired } },
    { path: '/latest/meta-data/instance-id', headers: { 'x-aws-ec2-metadata-token': 'not-a-token' } },
    { method: 'HEAD', path: '/latest/meta-data/instance-id', headers: { 'x-aws-ec2-metadata-token': 'not-a-token' } },
  ];
}

/** The parts of an answer that must match, with the Location made independent of the host. */
function comparable(exchange: RawExchange, origin: string): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(exchange.headers)) {
    if (!EXCHANGE_HEADERS.has(name)) headers[name] = name === 'location' ? String(value).replace(origin, '<origin>') : value;
  }
  const isToken = exchange.status === 200 && exchange.headers['x-aws-ec2-metadata-token-ttl-seconds'] !== undefined;
  // Tokens carry a random nonce; their shape is compared here and their acceptance in the table.
  const utf8 = exchange.body.toString('utf8');
  const body = isToken
    ? `<token of ${exchange.body.length} base64 bytes: ${/^[A-Za-z0-9+/]{54}==$/.test(utf8)}>`
    : Buffer.from(utf8, 'utf8').equals(exchange.body)
      ? utf8
      : `base64:${exchange.body.toString('base64')}`;
  return { status: exchange.status, headers, body };
}

const mswServer = setupServer();
let guard: NetworkGuard;
before(() => {
  guard = guardNetwork();
  // Only the replay server on loopback is reached for real (`//latest/…` arrives as host "latest"
  // with its Host header). In a custom callback, print.error() does not stop a request; throwing does.
  mswServer.listen({
    onUnhandledRequest(request) {
      const host = request.headers.get('host') ?? new URL(request.url).host;
      if (!host.startsWith('127.0.0.1:')) throw new Error(`Unexpected unhandled request ${request.method} ${request.url}`);
    },
  });
});
after(() => {
  mswServer.close();
  guard.restore();
});

for (const imdsv2 of ['optional', 'required'] as const) {
  describe(`parity of aemm replay and ec2-imds-replay/msw (IMDSv2 ${imdsv2})`, () => {
    let server: ImdsServer;
    before(async () => {
      const mocks: LayerSettings = {
        spot: { action: 'stop' },
        rebalance: true,
        events: [{ code: 'instance-stop' }, { code: 'system-reboot', state: 'completed' }],
        asg: {},
        tags: { values: { Team: 'qa' } },
      };
      const options = { cassette: defaultCassette, layers: [userLayer], mocks, imdsv2, clock: () => NOW, secret: SECRET };
      server = await startServer({ ...options, port: 0 });
      mswServer.resetHandlers(...imdsHandlers(options).handlers);
    });
    after(() => server.close());

    test('every request in the table gets the same status, headers and body', async () => {
      const issued = await sendRaw(server.url, '/latest/api/token', {
        method: 'PUT',
        headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
      });
      assert.equal(issued.status, 200);
      const expired = issueToken(SECRET, NOW - 1000);
      const rows = table(issued.body.toString(), expired);
      const statuses = new Set<number>();
      for (const row of rows) {
        const options = { method: row.method ?? 'GET', headers: row.headers };
        const viaServer = await sendRaw(server.url, row.path, options);
        const viaMsw = await sendRaw(IMDS, row.path, options);
        assert.deepEqual(comparable(viaMsw, IMDS), comparable(viaServer, server.url), `${options.method} ${row.path}`);
        statuses.add(viaServer.status);
      }
      // The table exercises every kind of answer, in both token modes.
      const expected = imdsv2 === 'optional' ? [200, 301, 400, 401, 403, 404, 405] : [200, 400, 401, 403, 405];
      assert.deepEqual([...statuses].sort(), expected);
    });

    test('a token from either side is accepted by the other', async () => {
      const put = { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } };
      const fromServer = (await sendRaw(server.url, '/latest/api/token', put)).body.toString();
      const fromMsw = (await sendRaw(IMDS, '/latest/api/token', put)).body.toString();
      assert.notEqual(fromServer, fromMsw);
      const read = (base: string, token: string): Promise<RawExchange> =>
        sendRaw(base, '/latest/meta-data/instance-id', { headers: { 'x-aws-ec2-metadata-token': token } });
      assert.equal((await read(IMDS, fromServer)).status, 200);
      assert.equal((await read(server.url, fromMsw)).status, 200);
    });
  });
}

test('no request left the process', () => {
  assert.deepEqual(guard.refused, []);
});
