import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setupServer } from 'msw/node';
import { defaultCassette, imdsHandlers } from '../../src/msw/index.js';

const BASE = 'http://127.0.0.1:9';
const START = Date.parse('2026-11-26T10:30:00Z');
const server = setupServer();

/** One test's own instance: handlers, engine and clock live inside its boundary only. */
function isolatedInstance(scenario: string) {
  let wall = START;
  const imds = imdsHandlers({ cassette: defaultCassette, scenario, clock: () => wall, baseUrls: [BASE] });
  server.use(...imds.handlers);
  return {
    imds,
    advance: (ms: number) => void (wall += ms),
    read: async (path: string) => {
      const response = await fetch(`${BASE}${path}`);
      return `${response.status} ${await response.text()}`;
    },
  };
}

const pause = () => new Promise((resolve) => setImmediate(resolve));

describe('aemm/msw with server.boundary', () => {
  before(() => server.listen({ onUnhandledRequest: 'error' }));
  after(() => server.close());

  test('concurrent tests each get their own engine, clock and scenario', async () => {
    const spot = server.boundary(async () => {
      const instance = isolatedInstance('spot-interruption');
      instance.advance(2 * 60_000);
      await pause();
      assert.match(await instance.read('/latest/meta-data/spot/instance-action'), /^200 \{"action": "terminate"/);
      await pause();
      assert.match(await instance.read('/latest/meta-data/autoscaling/target-lifecycle-state'), /^404 /);
      return instance.imds.journal.total;
    });
    const asg = server.boundary(async () => {
      const instance = isolatedInstance('asg-scale-in');
      await pause();
      assert.equal(await instance.read('/latest/meta-data/autoscaling/target-lifecycle-state'), '200 InService');
      instance.advance(60_000);
      await pause();
      assert.equal(await instance.read('/latest/meta-data/autoscaling/target-lifecycle-state'), '200 Terminated');
      assert.match(await instance.read('/latest/meta-data/spot/instance-action'), /^404 /);
      return instance.imds.journal.total;
    });
    // Both run interleaved; each journal saw only its own two and three requests.
    assert.deepEqual(await Promise.all([spot(), asg()]), [2, 3]);
  });

  test('outside any boundary the overrides are gone', async () => {
    await assert.rejects(fetch(`${BASE}/latest/meta-data/ami-id`));
  });
});
