import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { setupServer } from 'msw/node';
import { defaultCassette, imdsHandlers } from '../../src/msw/index.js';
import { guardNetwork, type NetworkGuard } from '../msw/guard-network.js';

const IMDS = 'http://169.254.169.254';
const INSTANCE_ID = defaultCassette.entries['/latest/meta-data/instance-id']!.body!;

// msw's default policy: an unhandled request only warns and is then sent for real, token and all.
// The guard refuses (and records) any such real connection, so a leak fails the test instead.
const server = setupServer(...imdsHandlers({ cassette: defaultCassette }).handlers);
let guard: NetworkGuard;
const unhandled: string[] = [];
before(() => {
  guard = guardNetwork();
  server.listen({ onUnhandledRequest: (request) => void unhandled.push(`${request.method} ${request.url}`) });
});
after(() => {
  server.close();
  guard.restore();
});

const client = (): MetadataService => new MetadataService({ endpoint: IMDS, retries: 0, httpOptions: { timeout: 2000 } });

describe('aemm/msw answers every version the SDK asks for, so nothing leaks with its token (issue 11 item 6)', () => {
  for (const version of ['2016-09-02', '2021-03-23', '1.0', 'latest']) {
    test(`MetadataService's //${version}/… is answered, not sent to the network`, async () => {
      unhandled.length = 0;
      guard.refused.length = 0;
      assert.equal(await client().request(`/${version}/meta-data/instance-id`, {}), INSTANCE_ID);
      assert.deepEqual(unhandled, []);
      assert.deepEqual(guard.refused, []);
    });
  }

  test("a version the instance does not serve gets IMDS's 404, not the network", async () => {
    unhandled.length = 0;
    guard.refused.length = 0;
    await assert.rejects(client().request('/2099-01-01/meta-data/instance-id', {}), /status code 404/);
    assert.deepEqual(unhandled, []);
    assert.deepEqual(guard.refused, []);
  });
});
