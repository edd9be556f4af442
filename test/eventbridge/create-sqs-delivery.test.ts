import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventBridgeEvent } from '../../src/eventbridge/build-eventbridge-event.js';
import { buildEventBridgeEvent } from '../../src/eventbridge/build-eventbridge-event.js';
import { createSqsDelivery, type DeliveryReport, type SqsDelivery } from '../../src/eventbridge/sqs/create-sqs-delivery.js';
import { FAKE_CREDENTIALS, freePort } from '../helpers/moto.js';
import { describeWithMoto } from './describe-with-moto.js';
import { createOutage, startThrottlingProxy } from '../helpers/sqs-gates.js';

const identity = {
  instanceId: 'i-1234567890abcdef0',
  accountId: '123456789012',
  region: 'us-east-1',
  availabilityZone: 'us-east-1a',
  partition: 'aws',
};
const events = (count: number, from = 0): EventBridgeEvent[] =>
  Array.from({ length: count }, (_, i) =>
    buildEventBridgeEvent({ kind: 'rebalance', at: Date.UTC(2026, 11, 1, 10, 0, from + i) }, identity),
  );

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeWithMoto('SQS delivery against moto', (suite) => {
  const deliver = (endpoint: string, queueUrl: string, reports: DeliveryReport[] = []): SqsDelivery =>
    createSqsDelivery({
      queueUrl,
      endpoint,
      region: 'us-east-1',
      credentials: FAKE_CREDENTIALS,
      baseDelayMs: 5,
      maxDelayMs: 40,
      timeoutMs: 2000,
      onReport: (report) => reports.push(report),
    });

  test('sends each event as the message body, in order', async () => {
    const queueUrl = await suite.moto.createQueue('in-order');
    const delivery = deliver(suite.moto.endpoint, queueUrl);
    const sent = events(5);
    for (const event of sent) delivery.send(event);
    assert.equal(await delivery.flush(10_000), true);
    const bodies = (await suite.moto.receiveCount(queueUrl, 5)).map((message) => JSON.parse(message.Body!) as EventBridgeEvent);
    assert.deepEqual(bodies.map((event) => event.id).sort(), sent.map((event) => event.id).sort());
    assert.deepEqual(
      bodies.find((event) => event.id === sent[0]!.id),
      sent[0],
    );
    assert.deepEqual(delivery.status(), { queueUrl, sent: 5, pending: 0, failedAttempts: 0, overflowed: 0 });
    assert.deepEqual(await delivery.close(), []);
  });

  test('SQS unreachable at start: events are kept, retried with backoff, and all arrive once it is up', async () => {
    const queueUrl = await suite.moto.createQueue('late');
    const outage = createOutage(await freePort(), suite.moto.port);
    const reports: DeliveryReport[] = [];
    const delivery = deliver(`http://127.0.0.1:${outage.port}`, queueUrl, reports);
    const sent = events(3);
    for (const event of sent) delivery.send(event);
    await until(() => reports.filter((r) => r.type === 'retry').length >= 3);
    const retries = reports.filter((r): r is Extract<DeliveryReport, { type: 'retry' }> => r.type === 'retry');
    assert.match(retries[0]!.error, /ECONNREFUSED|connect/i);
    assert.equal(retries[0]!.pending, 3);
    assert.ok(retries[2]!.retryInMs >= retries[0]!.retryInMs / 2, 'the delay grows (with jitter)');
    assert.equal(delivery.status().pending, 3);
    assert.ok(delivery.status().lastError);
    await outage.up();
    assert.equal(await delivery.flush(10_000), true);
    const received = await suite.moto.receiveCount(queueUrl, 3);
    assert.deepEqual(new Set(received.map((m) => (JSON.parse(m.Body!) as EventBridgeEvent).id)), new Set(sent.map((e) => e.id)));
    assert.deepEqual(
      reports.filter((r) => r.type === 'sent').map((r) => r.event.id),
      sent.map((e) => e.id),
      'sent in the order queued',
    );
    await delivery.close();
    await outage.down();
  });

  test('SQS going away mid-run: nothing is lost, and the rest follows when it is back', async () => {
    const queueUrl = await suite.moto.createQueue('flaky');
    const outage = createOutage(await freePort(), suite.moto.port);
    await outage.up();
    const reports: DeliveryReport[] = [];
    const delivery = deliver(`http://127.0.0.1:${outage.port}`, queueUrl, reports);
    const [first, ...rest] = events(4);
    delivery.send(first!);
    assert.equal(await delivery.flush(10_000), true);
    await outage.down();
    for (const event of rest) delivery.send(event);
    await until(() => reports.some((r) => r.type === 'retry'));
    assert.equal(delivery.status().pending, 3);
    await outage.up();
    assert.equal(await delivery.flush(10_000), true);
    const received = await suite.moto.receiveCount(queueUrl, 4);
    assert.equal(received.length, 4);
    assert.deepEqual(delivery.status().sent, 4);
    await delivery.close();
    await outage.down();
  });

  test('throttling and 5xx answers are retried until SendMessage succeeds', async () => {
    const queueUrl = await suite.moto.createQueue('throttled');
    const proxy = await startThrottlingProxy(suite.moto.endpoint, 4);
    const reports: DeliveryReport[] = [];
    const delivery = deliver(proxy.endpoint, queueUrl, reports);
    const [event] = events(1);
    delivery.send(event!);
    assert.equal(await delivery.flush(10_000), true);
    const errors = reports.filter((r): r is Extract<DeliveryReport, { type: 'retry' }> => r.type === 'retry').map((r) => r.error);
    assert.equal(errors.length, 4);
    assert.match(errors[0]!, /RequestThrottled.*HTTP 400/);
    assert.match(errors[1]!, /HTTP 503/);
    assert.deepEqual(
      (await suite.moto.receiveCount(queueUrl, 1)).map((m) => JSON.parse(m.Body!)),
      [event],
    );
    await delivery.close();
    await proxy.close();
  });

  test('past maxPending while SQS is down, a new event goes to the report instead of the queue', async () => {
    const outage = createOutage(await freePort(), suite.moto.port);
    const reports: DeliveryReport[] = [];
    const delivery = createSqsDelivery({
      queueUrl: `http://127.0.0.1:${outage.port}/123456789012/full`,
      endpoint: `http://127.0.0.1:${outage.port}`,
      region: 'us-east-1',
      credentials: FAKE_CREDENTIALS,
      baseDelayMs: 5,
      maxPending: 2,
      onReport: (report) => reports.push(report),
    });
    const sent = events(3);
    for (const event of sent) delivery.send(event);
    assert.deepEqual(
      reports.filter((r) => r.type === 'overflow').map((r) => r.event),
      [sent[2]],
    );
    assert.equal(delivery.status().overflowed, 1);
    assert.deepEqual(await delivery.close(20), sent.slice(0, 2));
  });

  test('close() while SQS is down hands back every unsent event instead of dropping it', async () => {
    const outage = createOutage(await freePort(), suite.moto.port);
    const delivery = deliver(`http://127.0.0.1:${outage.port}`, `http://127.0.0.1:${outage.port}/123456789012/never`);
    const sent = events(2);
    for (const event of sent) delivery.send(event);
    assert.deepEqual(await delivery.close(50), sent);
  });
});
