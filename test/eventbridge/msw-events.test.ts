import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setupServer } from 'msw/node';
import type { EventBridgeEvent } from '../../src/eventbridge/build-eventbridge-event.js';
import { defaultCassette, imdsHandlers } from '../../src/msw/index.js';
import { startServer } from '../../src/server/start-server.js';
import { guardNetwork, type NetworkGuard } from '../msw/guard-network.js';
import { freePort } from '../helpers/moto.js';

const IMDS = 'http://169.254.169.254/latest/meta-data/';
const START = Date.parse('2031-07-01T08:00:00Z');
const MOCKS = { rebalance: { delay: '1m' }, spot: { action: 'stop', delay: '2m' }, asg: { state: 'Terminated', delay: '5m' } } as const;
const msw = setupServer();
let guard: NetworkGuard;
before(() => {
  guard = guardNetwork();
  // The server test below sends its (doomed) SendMessage calls to loopback; only those may pass.
  msw.listen({ onUnhandledRequest: (request, print) => (new URL(request.url).hostname === '127.0.0.1' ? undefined : print.error()) });
});
after(() => {
  msw.close();
  guard.restore();
});

describe('aemm/msw: the EventBridge events, in-process, without SQS', () => {
  test('imds.events yields each event when control.advance shows its notice; onEvent sees the same', async () => {
    const seen: EventBridgeEvent[] = [];
    const imds = imdsHandlers({ cassette: defaultCassette, clock: () => START, mocks: MOCKS, onEvent: (event) => seen.push(event) });
    msw.resetHandlers(...imds.handlers);
    const iterator = imds.events[Symbol.asyncIterator]();
    assert.equal(imds.events.emitted.length, 0);
    imds.control.advance('1m');
    assert.equal((await iterator.next()).value?.['detail-type'], 'EC2 Instance Rebalance Recommendation');
    imds.control.advance('1m');
    const spot = (await iterator.next()).value as EventBridgeEvent;
    const action = (await (await fetch(`${IMDS}spot/instance-action`)).json()) as { action: string; time: string };
    assert.deepEqual(spot.detail, { 'instance-id': 'i-1234567890abcdef0', 'instance-action': action.action });
    imds.control.advance('2m');
    assert.deepEqual([(await iterator.next()).value?.detail.state, (await iterator.next()).value?.detail.state], ['stopping', 'stopped']);
    await iterator.return?.();
    assert.deepEqual(seen, imds.events.emitted);
    assert.equal(seen.length, 4);
  });

  test('a notice shown by the clock alone has its event by the time a client can see it', async () => {
    let wall = START;
    const imds = imdsHandlers({ cassette: defaultCassette, clock: () => wall, mocks: { rebalance: { delay: '30s' } } });
    msw.resetHandlers(...imds.handlers);
    assert.equal(imds.events.emitted.length, 0);
    wall += 30_000;
    assert.equal((await fetch(`${IMDS}events/recommendations/rebalance`)).status, 200);
    assert.deepEqual(
      imds.events.emitted.map((event) => event.time),
      ['2031-07-01T08:00:30Z'],
    );
  });

  test('msw and the server send the same events, ids included, for the same cassette, layers and clock', async () => {
    const imds = imdsHandlers({ cassette: defaultCassette, clock: () => START, mocks: MOCKS });
    imds.control.advance('10m');
    const fromServer: EventBridgeEvent[] = [];
    const port = await freePort();
    const server = await startServer({
      port: 0,
      clock: () => START,
      mocks: MOCKS,
      // Nothing listens on that port: this test reads the events as they are queued, not from SQS.
      eventBridge: {
        queueUrl: `http://127.0.0.1:${port}/123456789012/none`,
        onEvent: (event) => fromServer.push(event),
        closeTimeoutMs: 0,
        retry: { baseDelayMs: 50 },
      },
    });
    server.control.advance('10m');
    await server.close();
    assert.deepEqual(fromServer, imds.events.emitted);
    assert.equal(fromServer.length, 5);
  });

  test("a scenario's sqs section names the scale-in hook in-process too (no SQS is used); lifecycleHook wins over it", () => {
    const scenario = {
      format: 'aemm-scenario/1',
      name: 'scale-in',
      steps: [{ name: 'scale-in', at: '1m', apply: { asg: { state: 'Terminated' } } }],
      sqs: { queueUrl: 'http://127.0.0.1:9/1/q', autoScalingGroupName: 'web', lifecycleHookName: 'drain' },
    };
    const names = (options: Omit<Parameters<typeof imdsHandlers>[0], 'cassette'>): unknown[] => {
      const imds = imdsHandlers({ cassette: defaultCassette, clock: () => START, ...options });
      void imds.events;
      imds.control.advance('1m');
      return imds.events.emitted.map((event) => [event.detail.AutoScalingGroupName, event.detail.LifecycleHookName]);
    };
    assert.deepEqual(names({ scenario }), [['web', 'drain']]);
    assert.deepEqual(names({ scenario, lifecycleHook: { hookName: 'mine' } }), [['web', 'mine']]);
  });

  test('a cassette without an identity document is refused when events are asked for, not before', () => {
    const { ['/latest/dynamic/instance-identity/document']: _gone, ...entries } = defaultCassette.entries;
    const imds = imdsHandlers({ cassette: { ...defaultCassette, entries } });
    assert.throws(() => imds.events, /Cannot send EventBridge events for imdsHandlers\(\{ cassette \}\): it has no account id/);
  });
});
