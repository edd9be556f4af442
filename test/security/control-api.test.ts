import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { startServer, type ImdsServer } from '../../src/server/start-server.js';
import { send } from '../helpers/http.js';

const JSON_HEADERS = { 'content-type': 'application/json', 'x-aemm-control': '1' };
const HANG_ALL = JSON.stringify({ path: '**', hang: true });

const faultCount = async (server: ImdsServer): Promise<number> =>
  (JSON.parse((await send(server.url, '/__aemm/status')).text) as { mocks: Array<{ kind: string }> }).mocks.filter(
    (mock) => mock.kind === 'fault',
  ).length;

describe('the control API answers no web page (issue 11 items 2, 3 and 8)', () => {
  let server: ImdsServer;
  before(async () => {
    server = await startServer({ port: 0, allowHosts: ['imds.test'] });
  });
  after(() => server.close());

  test('a simple cross-site POST (text/plain, foreign Origin) changes nothing', async () => {
    const response = await send(server.url, '/__aemm/fault', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: HANG_ALL,
    });
    assert.equal(response.status, 403);
    assert.equal(await faultCount(server), 0);
    assert.equal((await send(server.url, '/latest/meta-data/instance-id')).status, 200);
  });

  test('a POST without a JSON content type is refused with 415', async () => {
    const response = await send(server.url, '/__aemm/fault', {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'x-aemm-control': '1' },
      body: HANG_ALL,
    });
    assert.equal(response.status, 415);
    assert.match(response.text, /Content-Type: application\/json/);
    assert.equal(await faultCount(server), 0);
  });

  test('a JSON POST without the x-aemm-control header is refused', async () => {
    const response = await send(server.url, '/__aemm/fault', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: HANG_ALL,
    });
    assert.equal(response.status, 403);
    assert.match(response.text, /x-aemm-control/);
    assert.equal(await faultCount(server), 0);
  });

  test('a foreign Origin is refused even with every header, and so is Origin: null', async () => {
    for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example:1338']) {
      const response = await send(server.url, '/__aemm/fault', { method: 'POST', headers: { ...JSON_HEADERS, origin }, body: HANG_ALL });
      assert.equal(response.status, 403, origin);
    }
    assert.equal(await faultCount(server), 0);
  });

  test('a DNS-rebound Host is refused, for GET status too', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, '169.254.169.254']) {
      assert.equal((await send(server.url, '/__aemm/status', { headers: { host } })).status, 403, host);
      assert.equal(
        (await send(server.url, '/__aemm/fault', { method: 'POST', headers: { ...JSON_HEADERS, host }, body: HANG_ALL })).status,
        403,
        host,
      );
    }
    assert.equal(await faultCount(server), 0);
  });

  test('loopback names, the bound address and --allow-host names are served', async () => {
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, 'app.localhost', 'IMDS.test:80', 'imds.test.']) {
      assert.equal((await send(server.url, '/__aemm/status', { headers: { host } })).status, 200, host);
    }
    const own = await send(server.url, '/__aemm/fault', {
      method: 'POST',
      headers: { ...JSON_HEADERS, origin: `http://127.0.0.1:${server.port}` },
      body: JSON.stringify({ path: 'ami-id', status: 500 }),
    });
    assert.equal(own.status, 200);
    await send(server.url, '/__aemm/reset', { method: 'POST', headers: JSON_HEADERS, body: '{}' });
  });

  test("replay's IMDS paths answer any Host: a Kubernetes Service name reaches the drop-in", async () => {
    const response = await send(server.url, '/latest/meta-data/instance-id', {
      headers: { host: 'ec2-metadata-mock.default.svc.cluster.local' },
    });
    assert.equal(response.status, 200);
  });

  test('faults and events are capped: 60 posts of many rules cannot pile them up', async () => {
    const faults = Array.from({ length: 150 }, (_, index) => ({ path: `/x/${index}`, status: 500 }));
    const many = await send(server.url, '/__aemm/apply', { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ faults }) });
    assert.equal(many.status, 400);
    assert.match(many.text, /At most 100 faults and events/);
    let accepted = 0;
    for (let post = 0; post < 60; post++) {
      const response = await send(server.url, '/__aemm/apply', {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ faults: faults.slice(0, 30) }),
      });
      if (response.status === 200) accepted++;
    }
    assert.equal(accepted, 3);
    assert.equal(await faultCount(server), 90);
    await send(server.url, '/__aemm/reset', { method: 'POST', headers: JSON_HEADERS, body: '{}' });
  });

  test('a body over 16 KiB is answered 413', async () => {
    const response = await send(server.url, '/__aemm/tags', {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ mode: 'merge', values: { a: 'x'.repeat(17 * 1024) } }),
    });
    assert.equal(response.status, 413);
  });

  test('clients that abort their control bodies cost no warning each', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      for (let client = 0; client < 50; client++) {
        const seen = server.requests;
        const req = request({
          host: '127.0.0.1',
          port: server.port,
          path: '/__aemm/spot',
          method: 'POST',
          headers: { ...JSON_HEADERS, 'content-length': '1000' },
        });
        req.on('error', () => undefined);
        req.write('{"action":');
        // Leave only once the server is reading this body.
        while (server.requests === seen) await new Promise((resolve) => setTimeout(resolve, 2));
        req.destroy();
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(
        warnings.map((warning) => warning.message),
        [],
      );
      assert.equal((await send(server.url, '/__aemm/status')).status, 200);
    } finally {
      process.off('warning', onWarning);
    }
  });
});
