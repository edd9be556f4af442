import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { startServer, type ImdsServer } from '../../src/server/start-server.js';
import { send } from '../helpers/http.js';
import { withImdsEndpoint } from '../helpers/imds-env.js';

const post = (server: ImdsServer, verb: string, body: unknown) =>
  send(server.url, `/__aemm/${verb}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-aemm-control': '1' },
    body: JSON.stringify(body),
  });

describe('control API over HTTP', () => {
  let server: ImdsServer;
  before(async () => {
    server = await startServer({ port: 0 });
  });
  after(() => server.close());

  test('GET /__aemm/status reports the clock, token mode and mocks', async () => {
    const response = await send(server.url, '/__aemm/status');
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'application/json');
    const status = JSON.parse(response.text) as { imdsv2: string; mocks: unknown[]; layers: string[] };
    assert.equal(status.imdsv2, 'optional');
    assert.deepEqual(status.mocks, []);
  });

  test('POST /__aemm/spot triggers a notice the AWS SDK client then reads', async () => {
    const client = new MetadataService({ endpoint: server.url, retries: 0 });
    await assert.rejects(client.request('/latest/meta-data/spot/instance-action', {}), /404|Not Found/i);
    const response = await post(server, 'spot', { action: 'stop' });
    assert.equal(response.status, 200);
    assert.match(response.text, /"kind": "spot"/);
    const notice = JSON.parse(await client.request('/latest/meta-data/spot/instance-action', {})) as { action: string; time: string };
    assert.equal(notice.action, 'stop');
    assert.ok(Date.parse(notice.time) > Date.now());
    await post(server, 'reset', {});
  });

  test('a delayed notice appears once advance moves the clock past it', async () => {
    await post(server, 'asg', { delay: '10m' });
    assert.equal((await send(server.url, '/latest/meta-data/autoscaling/target-lifecycle-state')).text, 'InService');
    await post(server, 'advance', { by: '10m' });
    assert.equal((await send(server.url, '/latest/meta-data/autoscaling/target-lifecycle-state')).text, 'Terminated');
    await post(server, 'reset', {});
  });

  test('imdsv2 switches token mode at run time and the credential provider still works', async () => {
    await post(server, 'imdsv2', { mode: 'required' });
    assert.equal((await send(server.url, '/latest/meta-data/instance-id')).status, 401);
    const credentials = await withImdsEndpoint(server.url, () => fromInstanceMetadata({ timeout: 2000, maxRetries: 0 })());
    assert.match(credentials.accessKeyId, /^ASIA/);
    await post(server, 'reset', {});
    assert.equal((await send(server.url, '/latest/meta-data/instance-id')).status, 200);
  });

  test('a hanging token PUT makes the SDK fall back to IMDSv1 after its timeout', async () => {
    await post(server, 'fault', { path: 'api/token', hang: true });
    const started = Date.now();
    const credentials = await withImdsEndpoint(server.url, () => fromInstanceMetadata({ timeout: 300, maxRetries: 0 })());
    assert.match(credentials.accessKeyId, /^ASIA/);
    assert.ok(Date.now() - started >= 300);
    await post(server, 'clear', { kind: 'faults' });
  });

  test('a dropped connection is an error for the client, and the server keeps serving', async () => {
    await post(server, 'fault', { path: 'meta-data/instance-id', drop: true, times: 1 });
    await assert.rejects(send(server.url, '/latest/meta-data/instance-id'), /socket hang up|ECONNRESET/);
    assert.equal((await send(server.url, '/latest/meta-data/instance-id')).status, 200);
  });

  test('latency faults delay the answer', async () => {
    await post(server, 'fault', { path: 'meta-data/ami-id', latency: '200ms', times: 1 });
    const started = performance.now();
    assert.equal((await send(server.url, '/latest/meta-data/ami-id')).status, 200);
    assert.ok(performance.now() - started >= 190);
  });

  const mistakes: Array<[string, string, unknown, number, RegExp]> = [
    ['bad settings', 'spot', { action: 'explode' }, 400, /Spot action "explode" is not allowed/],
    ['an unknown verb', 'explode', {}, 404, /No control verb "explode"/],
    ['a body that is not JSON', 'spot', '{nope', 400, /not a JSON object/],
  ];
  for (const [name, verb, body, status, message] of mistakes) {
    test(`${name} answers ${status} with a JSON error`, async () => {
      const response = await send(server.url, `/__aemm/${verb}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-aemm-control': '1' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      assert.equal(response.status, status);
      assert.match((JSON.parse(response.text) as { error: string }).error, message);
    });
  }

  test('GET on a verb answers 405', async () => {
    assert.equal((await send(server.url, '/__aemm/spot')).status, 405);
  });
});

describe('control API availability', () => {
  test('control: false serves /__aemm/ as an IMDS path (404 page)', async () => {
    const server = await startServer({ port: 0, control: false });
    try {
      const response = await send(server.url, '/__aemm/status');
      assert.equal(response.status, 404);
      assert.equal(response.headers['content-type'], 'text/html');
      assert.equal(server.controlApi, false);
    } finally {
      await server.close();
    }
  });

  test('it is off by default beyond loopback and on for loopback', async () => {
    const wide = await startServer({ port: 0, hostname: '0.0.0.0' });
    const local = await startServer({ port: 0 });
    try {
      assert.equal(wide.controlApi, false);
      assert.equal(local.controlApi, true);
    } finally {
      await wide.close();
      await local.close();
    }
  });

  test('mocks from startServer options show up for the AWS SDK after their delay', async () => {
    const server = await startServer({ port: 0, mocks: { spot: { action: 'terminate', delay: '300ms' } } });
    try {
      const client = new MetadataService({ endpoint: server.url, retries: 0 });
      await assert.rejects(client.request('/latest/meta-data/spot/instance-action', {}), /404|Not Found/i);
      server.control.advance('300ms');
      assert.match(await client.request('/latest/meta-data/spot/instance-action', {}), /"action": "terminate"/);
    } finally {
      await server.close();
    }
  });
});
