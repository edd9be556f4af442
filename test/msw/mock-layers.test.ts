import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { setupServer } from 'msw/node';
import { defaultCassette, imdsHandlers, type ImdsHandlers } from '../../src/msw/index.js';
import { guardNetwork, type NetworkGuard } from './guard-network.js';

const IMDS = 'http://169.254.169.254';
const START = Date.parse('2031-07-01T08:00:00Z');
const server = setupServer();
let guard: NetworkGuard;
before(() => {
  guard = guardNetwork();
  server.listen({ onUnhandledRequest: 'error' });
});
after(() => {
  server.close();
  guard.restore();
});

function client(timeout = 2000): MetadataService {
  return new MetadataService({ endpoint: IMDS, retries: 0, httpOptions: { timeout } });
}

describe('mock layers through msw/node', () => {
  let imds: ImdsHandlers;
  beforeEach(() => {
    imds = imdsHandlers({ cassette: defaultCassette, clock: () => START });
    server.resetHandlers(...imds.handlers);
  });

  test('a spot notice scheduled in two minutes appears after control.advance("2m"), seen by the real SDK client', async () => {
    imds.control.spot({ action: 'stop', delay: '2m' });
    await assert.rejects(client().request('/latest/meta-data/spot/instance-action', {}), /404/);
    imds.control.advance('2m');
    const notice = JSON.parse(await client().request('/latest/meta-data/spot/instance-action', {})) as { action: string; time: string };
    assert.equal(notice.action, 'stop');
    assert.equal(notice.time, '2031-07-01T08:04:00Z');
    assert.match(await client().request('/latest/meta-data/', {}), /^spot\/$/m);
  });

  test('mocks given as an option are active from the start', async () => {
    server.resetHandlers(
      ...imdsHandlers({ cassette: defaultCassette, clock: () => START, mocks: { spot: { action: 'terminate' } } }).handlers,
    );
    const notice = JSON.parse(await client().request('/latest/meta-data/spot/instance-action', {})) as { action: string };
    assert.equal(notice.action, 'terminate');
  });

  test('a dropped request is a network error for the client, and the next one is answered', async () => {
    imds.control.fault({ path: 'instance-id', drop: true, times: 1 });
    await assert.rejects(fetch(`${IMDS}/latest/meta-data/instance-id`), TypeError);
    assert.equal((await fetch(`${IMDS}/latest/meta-data/instance-id`)).status, 200);
  });

  test('a hanging request never answers: the client times out', async () => {
    imds.control.fault({ path: 'instance-id', hang: true, times: 1 });
    // The client's own timer keeps the process alive; the handler's infinite wait does not.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('client timeout')), 200);
    try {
      await assert.rejects(fetch(`${IMDS}/latest/meta-data/instance-id`, { signal: controller.signal }), /client timeout/);
    } finally {
      clearTimeout(timer);
    }
  });

  test('a latency fault still answers with the recorded value', async () => {
    imds.control.fault({ path: 'instance-id', latency: 20 });
    assert.equal(
      await (await fetch(`${IMDS}/latest/meta-data/instance-id`)).text(),
      defaultCassette.entries['/latest/meta-data/instance-id']!.body,
    );
  });

  test('a status fault answers that status', async () => {
    imds.control.fault({ path: 'iam/**', status: 503 });
    assert.equal((await fetch(`${IMDS}/latest/meta-data/iam/info`)).status, 503);
  });
});

test('no request left the process', () => {
  assert.deepEqual(guard.refused, []);
});
