import assert from 'node:assert/strict';
import { ReceiveMessageCommand, PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { before, test } from 'node:test';
import type { EventBridgeEvent } from '../../src/eventbridge/build-eventbridge-event.js';
import { readInstanceIdentity } from '../../src/eventbridge/instance-identity.js';
import { defaultCassette } from '../../src/msw/default-cassette.js';
import { buildGoCheck, findGo, runKarpenterCheck, runNthCheck, type KarpenterMessage, type NthEvent } from '../helpers/go-checks.js';
import { runCli, startCliServer } from '../helpers/run-cli.js';
import { describeWithMoto } from './describe-with-moto.js';

const identity = readInstanceIdentity(defaultCassette);
const CONTROL = { 'content-type': 'application/json', 'x-aemm-control': '1' };
/** RFC 3339 to the second, as the events and NTH print times. */
const second = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

interface Status {
  scenario: { startedAt: string; steps: { name: string; firedAt?: string }[] };
  eventBridge: { sent: number; pending: number };
}

// One cassette and one built-in scenario drive both of NTH's channels: IMDS mode (NTH's
// pkg/ec2metadata client and its spotitn, rebalancerecommendation and scheduledevent monitors,
// polling our replay) and queue-processor mode (NTH's pkg/monitor/sqsevent on the moto queue the
// replay sends to), plus Karpenter's interruption message parsers on the same messages. Only the
// EC2 and Auto Scaling APIs NTH calls on the side are fakes (test/eventbridge/nth-check).
describeWithMoto(
  "a built-in scenario drives NTH's IMDS mode and queue processor (and Karpenter's parsers) from one cassette, and they agree",
  (suite) => {
    let nth: string;
    let karpenter: string;
    before(
      async () => {
        [nth, karpenter] = await Promise.all([buildGoCheck('nth-check'), buildGoCheck('karpenter-check')]);
      },
      { timeout: 20 * 60_000 },
    );

    /** A replay of the built-in `scenario` sending to a fresh queue, and the ways to look at both channels. */
    const playScenario = async (scenario: string) => {
      const { moto } = suite;
      const queueUrl = await moto.createQueue(scenario);
      const server = await startCliServer([
        'replay',
        '--port',
        '0',
        '--quiet',
        '--scenario',
        scenario,
        '--sqs-queue-url',
        queueUrl,
        '--sqs-endpoint',
        moto.endpoint,
      ]);
      const status = async (): Promise<Status> => (await fetch(`${server.url}/__aemm/status`)).json() as Promise<Status>;
      return {
        server,
        status,
        firedAt: (timeline: Status, name: string): number =>
          Date.parse(timeline.scenario.steps.find((step) => step.name === name)!.firedAt!),
        /** Moves the replay clock (the scenario's steps fire on it) and waits until the replay sent what it queued. */
        async advance(by: string): Promise<Status> {
          await (
            await fetch(`${server.url}/__aemm/advance`, { method: 'POST', headers: CONTROL, body: JSON.stringify({ by }) })
          ).arrayBuffer();
          for (let tries = 0; tries < 200; tries++) {
            const now = await status();
            if (now.eventBridge.pending === 0) return now;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
          assert.fail('the replay did not send its events to moto');
        },
        /** Moves the clock across a step that takes the instance away: the replay stops listening, control API included, so the call gets no answer. */
        async advanceUntilGone(by: string): Promise<void> {
          await assert.rejects(
            fetch(`${server.url}/__aemm/advance`, { method: 'POST', headers: CONTROL, body: JSON.stringify({ by }) }).then((answer) =>
              answer.arrayBuffer(),
            ),
          );
          await assert.rejects(fetch(`${server.url}/latest/meta-data/instance-id`), 'the instance is gone');
        },
        /** The messages on the queue, left there (visibility 0) for NTH to read next. */
        async peek(count: number): Promise<EventBridgeEvent[]> {
          let bodies: string[] = [];
          for (let tries = 0; tries < 200 && bodies.length < count; tries++) {
            const output = await moto.sqs.send(
              new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }),
            );
            bodies = (output.Messages ?? []).map((message) => message.Body!);
            if (bodies.length < count) await new Promise((resolve) => setTimeout(resolve, 50));
          }
          return bodies
            .map((body) => JSON.parse(body) as EventBridgeEvent)
            .sort((a, b) => a.time.localeCompare(b.time) || String(a.detail.state).localeCompare(String(b.detail.state)));
        },
        /** What NTH concluded on each channel now, then an empty queue for the next step (NTH leaves messages for after its drain). */
        async readBoth(count: number): Promise<{ imds: NthEvent[]; sqs: NthEvent[] }> {
          const run = await runNthCheck(nth, {
            endpoint: moto.endpoint,
            queueUrl,
            count,
            zone: identity.availabilityZone,
            imds: server.url,
          });
          assert.equal(run.code, 0, run.stderr);
          await moto.sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
          const sort = (list: NthEvent[]): NthEvent[] =>
            list.sort((a, b) => a.kind.localeCompare(b.kind) || a.startTime.localeCompare(b.startTime));
          return {
            imds: sort(run.events.filter((event) => event.channel === 'imds')),
            sqs: sort(run.events.filter((event) => event.channel === 'sqs')),
          };
        },
        /** The events `aemm events preview` says this scenario sends from `start`, the replay's. */
        async preview(start: number): Promise<EventBridgeEvent[]> {
          const result = await runCli(['events', 'preview', '--scenario', scenario, '--start', new Date(start).toISOString()]);
          assert.equal(result.code, 0, result.stderr);
          return result.stdout
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as EventBridgeEvent);
        },
      };
    };
    const brief = (events: NthEvent[]): unknown[] =>
      events.map(({ kind, instanceId, startTime, error }) =>
        error ? { kind, error: /connection refused/.test(error) } : { kind, instanceId, startTime },
      );
    const karpenterSays = async (events: EventBridgeEvent[]): Promise<KarpenterMessage[]> =>
      runKarpenterCheck(
        karpenter,
        events.map((event) => JSON.stringify(event)),
      );

    test(
      'spot-interruption: rebalance, the warning, the instance gone; the same instance, kinds and times on both channels, step by step',
      { timeout: 180_000 },
      async () => {
        const { server, status, firedAt, advance, advanceUntilGone, peek, readBoth, preview } = await playScenario('spot-interruption');
        const sent: EventBridgeEvent[] = [];
        try {
          const start = Date.parse((await status()).scenario.startedAt);

          // Before the first step: nothing on either channel.
          assert.deepEqual(await readBoth(0), { imds: [], sqs: [] });

          // Step 1, rebalance: both channels see a rebalance recommendation for our instance at the step's time.
          const t1 = firedAt(await advance('1m'), 'rebalance');
          assert.equal(t1, start + 60_000, 'the scenario fires its first step a minute in');
          const rebalance = await peek(1);
          assert.deepEqual(
            rebalance.map((event) => event['detail-type']),
            ['EC2 Instance Rebalance Recommendation'],
          );
          sent.push(...rebalance);
          const one = await readBoth(1);
          assert.deepEqual(brief(one.imds), [{ kind: 'REBALANCE_RECOMMENDATION', instanceId: identity.instanceId, startTime: second(t1) }]);
          assert.deepEqual(brief(one.sqs), brief(one.imds), 'the queue processor agrees with IMDS mode');
          assert.deepEqual(await karpenterSays(rebalance), [
            { kind: 'rebalance_recommendation', instanceIds: [identity.instanceId], startTime: second(t1) },
          ]);

          // Step 2, the interruption warning: the queue dates it when it comes, IMDS names the action's time two minutes on.
          const t2 = firedAt(await advance('1m'), 'interruption-notice');
          assert.equal(t2, t1 + 60_000);
          const warning = await peek(1);
          assert.deepEqual(
            warning.map((event) => [event['detail-type'], event.detail['instance-action']]),
            [['EC2 Spot Instance Interruption Warning', 'terminate']],
          );
          sent.push(...warning);
          const two = await readBoth(1);
          assert.deepEqual(brief(two.imds), [
            { kind: 'REBALANCE_RECOMMENDATION', instanceId: identity.instanceId, startTime: second(t1) },
            { kind: 'SPOT_ITN', instanceId: identity.instanceId, startTime: second(t2 + 120_000) },
          ]);
          assert.deepEqual(brief(two.sqs), [{ kind: 'SPOT_ITN', instanceId: identity.instanceId, startTime: second(t2) }]);
          assert.deepEqual(await karpenterSays(warning), [
            { kind: 'spot_interrupted', instanceIds: [identity.instanceId], startTime: second(t2) },
          ]);

          // Step 3, terminated: IMDS mode can no longer reach the instance; the queue says it went, at the time IMDS announced.
          await advanceUntilGone('2m');
          const t3 = t2 + 120_000;
          const gone = await peek(2);
          assert.deepEqual(
            gone.map((event) => [event['detail-type'], event.detail.state, event.time]),
            [
              ['EC2 Instance State-change Notification', 'shutting-down', second(t3)],
              ['EC2 Instance State-change Notification', 'terminated', second(t3)],
            ],
          );
          sent.push(...gone);
          const three = await readBoth(2);
          assert.deepEqual(brief(three.imds), [
            { kind: 'REBALANCE_RECOMMENDATION_MONITOR', error: true },
            { kind: 'SCHEDULED_EVENT_MONITOR', error: true },
            { kind: 'SPOT_ITN_MONITOR', error: true },
          ]);
          assert.deepEqual(brief(three.sqs), [
            { kind: 'STATE_CHANGE', instanceId: identity.instanceId, startTime: two.imds[1]!.startTime },
            { kind: 'STATE_CHANGE', instanceId: identity.instanceId, startTime: two.imds[1]!.startTime },
          ]);
          assert.deepEqual(
            (await karpenterSays(gone)).map((message) => [message.kind, message.instanceIds, message.startTime]),
            [
              ['instance_terminated', [identity.instanceId], second(t3)],
              ['instance_terminated', [identity.instanceId], second(t3)],
            ],
          );

          // And the queue got exactly what `aemm events preview` says this scenario sends from that start: ids and all.
          assert.deepEqual(sent, await preview(start));
        } finally {
          await server.stop();
        }
      },
    );

    test(
      'degraded-hardware-stop: the scheduled stop and then the instance stopping; the same instance, event and window on both channels',
      { timeout: 180_000 },
      async () => {
        const { server, status, firedAt, advance, advanceUntilGone, peek, readBoth, preview } =
          await playScenario('degraded-hardware-stop');
        const sent: EventBridgeEvent[] = [];
        try {
          const start = Date.parse((await status()).scenario.startedAt);

          // Step 1, scheduled: IMDS mode reads the event (its window ends at NotBefore: the event has no NotAfter); the queue has its Health event.
          const t1 = firedAt(await advance('30s'), 'scheduled');
          assert.equal(t1, start + 30_000);
          const health = await peek(1);
          assert.deepEqual(
            health.map((event) => [event['detail-type'], event.detail.eventTypeCode, event.detail.statusCode]),
            [['AWS Health Event', 'AWS_EC2_INSTANCE_STOP_SCHEDULED', 'upcoming']],
          );
          sent.push(...health);
          const one = await readBoth(1);
          assert.deepEqual(
            one.imds.map(({ kind, instanceId, eventId, endTime, state }) => ({ kind, instanceId, eventId, endTime, state })),
            [
              {
                kind: 'SCHEDULED_EVENT',
                instanceId: identity.instanceId,
                eventId: 'instance-event-087e363178449a61e',
                endTime: second(t1 + 600_000),
                state: 'active',
              },
            ],
          );
          assert.deepEqual(
            one.sqs.map(({ kind, instanceId }) => ({ kind, instanceId })),
            [{ kind: 'SCHEDULED_EVENT', instanceId: identity.instanceId }],
          );
          // NTH's queue processor keeps only the envelope's time, in Go's default format, in its description.
          assert.match(
            one.sqs[0]!.description,
            new RegExp(
              `will be interrupted at ${new Date(t1)
                .toISOString()
                .replace('T', ' ')
                .replace(/\.\d+Z$/, '')} \\+0000 UTC`,
            ),
          );
          // The Health event names the same IMDS event and starts at the NotBefore IMDS mode read.
          assert.ok(String(health[0]!.detail.eventArn).endsWith('_087E363178449A61E'), String(health[0]!.detail.eventArn));
          assert.equal(Date.parse(String(health[0]!.detail.startTime)), Date.parse(one.imds[0]!.endTime!));
          assert.deepEqual(await karpenterSays(health), [
            { kind: 'scheduled_change', instanceIds: [identity.instanceId], startTime: second(t1) },
          ]);

          // Step 2, stopped at NotBefore: IMDS mode cannot connect; the queue says the instance is stopping, then stopped.
          await advanceUntilGone('10m');
          const t2 = t1 + 600_000;
          const gone = await peek(2);
          assert.deepEqual(
            gone.map((event) => [event.detail.state, event.time]),
            [
              ['stopped', second(t2)],
              ['stopping', second(t2)],
            ],
          );
          sent.push(...gone);
          const two = await readBoth(2);
          assert.deepEqual(brief(two.imds), [
            { kind: 'REBALANCE_RECOMMENDATION_MONITOR', error: true },
            { kind: 'SCHEDULED_EVENT_MONITOR', error: true },
            { kind: 'SPOT_ITN_MONITOR', error: true },
          ]);
          assert.deepEqual(brief(two.sqs), [
            { kind: 'STATE_CHANGE', instanceId: identity.instanceId, startTime: second(t2) },
            { kind: 'STATE_CHANGE', instanceId: identity.instanceId, startTime: second(t2) },
          ]);
          assert.deepEqual(
            (await karpenterSays(gone)).map((message) => message.kind),
            ['instance_stopped', 'instance_stopped'],
          );

          assert.deepEqual(new Set(sent.map((event) => event.id)), new Set((await preview(start)).map((event) => event.id)));
        } finally {
          await server.stop();
        }
      },
    );
  },
  { alsoNeeds: findGo() },
);
