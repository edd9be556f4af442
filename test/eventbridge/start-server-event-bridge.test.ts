import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventBridgeEvent } from '../../src/eventbridge/build-eventbridge-event.js';
import type { EventBridgeReport } from '../../src/eventbridge/sqs/start-event-bridge.js';
import { parseScenario } from '../../src/core/scenarios/parse-scenario.js';
import { startServer, type ImdsServer } from '../../src/server/start-server.js';
import { FAKE_CREDENTIALS, freePort } from '../helpers/moto.js';
import { describeWithMoto } from './describe-with-moto.js';
import { createOutage } from '../helpers/sqs-gates.js';

const WALL = Date.UTC(2026, 11, 1, 10, 0, 0);
const MINUTE = 60_000;
const META = '/latest/meta-data/';

async function imds(server: ImdsServer, path: string): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${server.url}${path}`);
  return { status: response.status, body: await response.text(), ms: performance.now() - started };
}

describeWithMoto('startServer({ eventBridge }): every notice IMDS shows arrives on SQS at the same replay step', (suite) => {
  test(
    'rebalance, spot, maintenance, the instance going away and ASG scale-in, step by step on the control clock',
    { timeout: 60_000 },
    async () => {
      const queueUrl = await suite.moto.createQueue('timeline');
      const server = await startServer({
        port: 0,
        // A wall clock that stands still: only control.advance moves the replay, so each step is exact.
        clock: () => WALL,
        mocks: [
          {
            rebalance: { delay: '1m' },
            spot: { action: 'terminate', delay: '2m' },
            events: [{ code: 'instance-stop', delay: '3m', notBefore: '2026-12-05T00:00:00Z', notAfter: '2026-12-05T02:00:00Z' }],
            asg: { state: 'Terminated', delay: '5m' },
          },
          { sqs: { queueUrl, endpoint: suite.moto.endpoint, autoScalingGroupName: 'web-asg', lifecycleHookName: 'drain-hook' } },
        ],
        eventBridge: { credentials: FAKE_CREDENTIALS },
      });
      const bridge = server.eventBridge!;
      const step = async (by: string): Promise<EventBridgeEvent[]> => {
        server.control.advance(by);
        assert.equal(await bridge.flush(10_000), true, 'delivered');
        return (await suite.moto.receive(queueUrl, 10, 0))
          .map((message) => JSON.parse(message.Body!) as EventBridgeEvent)
          .sort((a, b) => a.time.localeCompare(b.time));
      };
      try {
        const instanceId = (await imds(server, `${META}instance-id`)).body;
        const document = JSON.parse((await imds(server, '/latest/dynamic/instance-identity/document')).body) as {
          accountId: string;
          region: string;
        };
        const envelope = { version: '0', account: document.accountId, region: document.region };
        assert.deepEqual(await suite.moto.receive(queueUrl), [], 'nothing shows before the first trigger');

        const [rebalance, ...extra1] = await step('1m');
        assert.deepEqual(extra1, []);
        const noticeTime = (JSON.parse((await imds(server, `${META}events/recommendations/rebalance`)).body) as { noticeTime: string })
          .noticeTime;
        assert.deepEqual(
          { ...rebalance, id: '' },
          {
            ...envelope,
            id: '',
            'detail-type': 'EC2 Instance Rebalance Recommendation',
            source: 'aws.ec2',
            time: noticeTime,
            resources: [`arn:aws:ec2:${document.region}:${document.accountId}:instance/${instanceId}`],
            detail: { 'instance-id': instanceId },
          },
        );

        const [spot, ...extra2] = await step('1m');
        assert.deepEqual(extra2, []);
        const action = JSON.parse((await imds(server, `${META}spot/instance-action`)).body) as { action: string; time: string };
        assert.equal(spot!['detail-type'], 'EC2 Spot Instance Interruption Warning');
        assert.deepEqual(spot!.detail, { 'instance-id': instanceId, 'instance-action': action.action });
        assert.equal(
          Date.parse(action.time) - Date.parse(spot!.time),
          2 * MINUTE,
          'the warning comes two minutes before the action IMDS announces',
        );
        assert.equal(spot!.time, new Date(WALL + 2 * MINUTE).toISOString().replace('.000', ''));

        const [health, ...extra3] = await step('1m');
        assert.deepEqual(extra3, []);
        const [scheduled] = JSON.parse((await imds(server, `${META}events/maintenance/scheduled`)).body) as {
          NotBefore: string;
          NotAfter: string;
          EventId: string;
          Code: string;
        }[];
        assert.equal(health!.source, 'aws.health');
        assert.equal(health!.detail.eventTypeCode, 'AWS_EC2_INSTANCE_STOP_SCHEDULED');
        assert.equal(Date.parse(String(health!.detail.startTime)), Date.parse(scheduled!.NotBefore));
        assert.equal(Date.parse(String(health!.detail.endTime)), Date.parse(scheduled!.NotAfter));
        assert.ok(String(health!.detail.eventArn).endsWith(scheduled!.EventId.replace('instance-event-', '').toUpperCase()));
        assert.deepEqual(health!.detail.affectedEntities, [{ entityValue: instanceId }]);

        const changes = await step('1m');
        assert.deepEqual(
          changes.map((event) => [event['detail-type'], event.detail.state, event.time]),
          [
            ['EC2 Instance State-change Notification', 'shutting-down', action.time],
            ['EC2 Instance State-change Notification', 'terminated', action.time],
          ],
        );

        const [lifecycle, ...extra5] = await step('1m');
        assert.deepEqual(extra5, []);
        assert.equal((await imds(server, `${META}autoscaling/target-lifecycle-state`)).body, 'Terminated');
        assert.equal(lifecycle!['detail-type'], 'EC2 Instance-terminate Lifecycle Action');
        assert.equal(lifecycle!.detail.EC2InstanceId, instanceId);
        assert.equal(lifecycle!.detail.AutoScalingGroupName, 'web-asg');
        assert.equal(lifecycle!.detail.LifecycleHookName, 'drain-hook');
        assert.equal(lifecycle!.detail.LifecycleTransition, 'autoscaling:EC2_INSTANCE_TERMINATING');

        assert.deepEqual(await step('1h'), [], 'a notice is announced once');
        const status = server.control.status() as ReturnType<typeof server.control.status> & {
          eventBridge: { sent: number; pending: number };
        };
        assert.equal(status.eventBridge.sent, 6);
        assert.equal(status.eventBridge.pending, 0);
      } finally {
        await server.close();
      }
    },
  );

  test("a scenario's sqs section starts the twin; eventBridge options win over it", { timeout: 30_000 }, async () => {
    const queueUrl = await suite.moto.createQueue('scenario-section');
    const scenario = parseScenario(
      {
        format: 'aemm-scenario/1',
        name: 'to-queue',
        steps: [{ name: 'scale-in', at: '1m', apply: { asg: { state: 'Terminated' } } }],
        sqs: { queueUrl, endpoint: 'http://10.0.0.1:9324', autoScalingGroupName: 'from-scenario' },
      },
      'test',
    );
    const server = await startServer({
      port: 0,
      clock: () => WALL,
      scenario,
      eventBridge: { endpoint: suite.moto.endpoint, credentials: FAKE_CREDENTIALS },
    });
    try {
      server.control.advance('1m');
      assert.equal(await server.eventBridge!.flush(10_000), true);
      const [message] = await suite.moto.receiveCount(queueUrl, 1);
      assert.equal((JSON.parse(message!.Body!) as EventBridgeEvent).detail.AutoScalingGroupName, 'from-scenario');
    } finally {
      await server.close();
    }
  });

  test(
    'the HTTP control API emits too: a spot trigger over /__aemm/ is on the queue when the call returns',
    { timeout: 30_000 },
    async () => {
      const queueUrl = await suite.moto.createQueue('http-control');
      const journal: { method: string; path: string; status: number; step?: string }[] = [];
      const server = await startServer({
        port: 0,
        clock: () => WALL,
        eventBridge: {
          queueUrl,
          endpoint: suite.moto.endpoint,
          credentials: FAKE_CREDENTIALS,
          journal: { record: (entry) => journal.push(entry) },
        },
      });
      try {
        const answer = await fetch(`${server.url}/__aemm/spot`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-aemm-control': '1' },
          body: JSON.stringify({ action: 'stop' }),
        });
        const status = (await answer.json()) as { eventBridge: { sent: number; pending: number; queueUrl: string } };
        assert.equal(status.eventBridge.sent + status.eventBridge.pending, 1, 'queued before the control call answered');
        assert.equal(status.eventBridge.queueUrl, queueUrl);
        await server.eventBridge!.flush(10_000);
        const [message] = await suite.moto.receive(queueUrl);
        assert.equal((JSON.parse(message!.Body!) as EventBridgeEvent).detail['instance-action'], 'stop');
        assert.deepEqual(
          journal.map(({ method, path, status, step }) => ({ method, path, status, step })),
          [{ method: 'SendMessage', path: new URL(queueUrl).pathname, status: 200, step: 'EC2 Spot Instance Interruption Warning' }],
        );
      } finally {
        await server.close();
      }
    },
  );

  test(
    'SQS away: IMDS keeps answering, status and the log say why, and close() reports every unsent event',
    { timeout: 30_000 },
    async () => {
      const outage = createOutage(await freePort(), suite.moto.port);
      const queueUrl = await suite.moto.createQueue('away');
      const reports: EventBridgeReport[] = [];
      const journal: { method: string; status: number }[] = [];
      const server = await startServer({
        port: 0,
        clock: () => WALL,
        mocks: { spot: { action: 'terminate' }, rebalance: true },
        eventBridge: {
          queueUrl,
          endpoint: `http://127.0.0.1:${outage.port}`,
          credentials: FAKE_CREDENTIALS,
          retry: { baseDelayMs: 5, maxDelayMs: 20 },
          closeTimeoutMs: 50,
          onReport: (report) => reports.push(report),
          journal: { record: (entry) => journal.push(entry) },
        },
      });
      try {
        for (let i = 0; i < 3; i++) {
          const answer = await imds(server, `${META}spot/instance-action`);
          assert.equal(answer.status, 200);
          assert.ok(answer.ms < 1000, `IMDS answered in ${answer.ms} ms while SQS is away`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
        const { eventBridge } = server.control.status() as unknown as { eventBridge: { pending: number; lastError?: string } };
        assert.equal(eventBridge.pending, 2);
        assert.match(eventBridge.lastError ?? '', /ECONNREFUSED|connect/i);
        assert.ok(reports.some((report) => report.type === 'retry'));
        assert.ok(
          journal.length > 0 && journal.every((entry) => entry.method === 'SendMessage' && entry.status === 0),
          'each failed attempt is in the journal, with no status',
        );
      } finally {
        await server.close();
      }
      const unsent = reports.find((report): report is Extract<EventBridgeReport, { type: 'unsent' }> => report.type === 'unsent');
      assert.deepEqual(unsent?.events.map((event) => event['detail-type']).sort(), [
        'EC2 Instance Rebalance Recommendation',
        'EC2 Spot Instance Interruption Warning',
      ]);
    },
  );

  test('bad settings are refused before anything listens: a remote endpoint, a made-up region, a queue URL that is not one', async () => {
    await assert.rejects(
      startServer({ port: 0, eventBridge: { queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/q' } }),
      /Refusing to send events to the queue URL's host sqs\.us-east-1\.amazonaws\.com .*never needs real AWS/,
    );
    await assert.rejects(
      startServer({ port: 0, eventBridge: { queueUrl: 'http://127.0.0.1:1/1/q', region: 'us-east-7' } }),
      /eventBridge\.region "us-east-7" is not an AWS region/,
    );
    await assert.rejects(startServer({ port: 0, eventBridge: { queueUrl: 'queue' } }), /eventBridge\.queueUrl "queue" is not a URL/);
    await assert.rejects(
      startServer({ port: 0, mocks: { sqs: { queueUrl: 'http://10.0.0.1:9324/1/q' } } }),
      /Refusing to send events to .*10\.0\.0\.1/,
    );
  });
});
