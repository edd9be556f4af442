import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { buildEventBridgeEvent, type InstanceOccurrence } from '../../src/eventbridge/build-eventbridge-event.js';
import { createSqsDelivery } from '../../src/eventbridge/sqs/create-sqs-delivery.js';
import { readInstanceIdentity } from '../../src/eventbridge/instance-identity.js';
import { defaultCassette } from '../../src/msw/default-cassette.js';
import { FAKE_CREDENTIALS } from '../helpers/moto.js';
import { buildGoCheck, findGo, runKarpenterCheck, runNthCheck } from '../helpers/go-checks.js';
import { describeWithMoto } from './describe-with-moto.js';

const identity = readInstanceIdentity(defaultCassette);
const at = Date.UTC(2026, 11, 1, 10, 0, 0);
const occurrences: InstanceOccurrence[] = [
  { kind: 'rebalance', at },
  { kind: 'spot-interruption', at: at + 1000, action: 'terminate' },
  {
    kind: 'scheduled-change',
    at: at + 2000,
    code: 'instance-retirement',
    state: 'active',
    eventId: 'instance-event-1234567890abcdef0',
    description: 'retire',
    notBefore: at + 86_400_000,
    notAfter: at + 2 * 86_400_000,
  },
  { kind: 'state-change', at: at + 3000, state: 'shutting-down' },
  { kind: 'lifecycle-action', at: at + 4000, groupName: 'web', hookName: 'drain', targetState: 'Terminated' },
];
const KINDS = ['REBALANCE_RECOMMENDATION', 'SPOT_ITN', 'SCHEDULED_EVENT', 'STATE_CHANGE', 'ASG_LIFECYCLE'];

describeWithMoto(
  "the consumers' own parsers read what we send (NTH's queue processor, Karpenter's interruption messages)",
  (suite) => {
    let nth: string;
    let karpenter: string;
    before(
      async () => {
        // The first build downloads NTH's dependency tree (Kubernetes client libraries) once; later ones hit Go's cache.
        [nth, karpenter] = await Promise.all([buildGoCheck('nth-check'), buildGoCheck('karpenter-check')]);
      },
      { timeout: 20 * 60_000 },
    );

    test('NTH: every event kind becomes the matching interruption event for our instance, at our times', { timeout: 120_000 }, async () => {
      const queueUrl = await suite.moto.createQueue('nth');
      const delivery = createSqsDelivery({ queueUrl, endpoint: suite.moto.endpoint, region: 'us-east-1', credentials: FAKE_CREDENTIALS });
      const events = occurrences.map((occurrence) => buildEventBridgeEvent(occurrence, identity));
      for (const event of events) delivery.send(event);
      assert.equal(await delivery.flush(10_000), true);
      await delivery.close();
      const {
        events: parsed,
        stderr,
        code,
      } = await runNthCheck(nth, { endpoint: suite.moto.endpoint, queueUrl, count: events.length, zone: identity.availabilityZone });
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /error|unable to parse|not supported/i);
      assert.deepEqual(parsed.map((event) => event.kind).sort(), [...KINDS].sort());
      for (const event of parsed) assert.equal(event.instanceId, identity.instanceId);
      // NTH reads the envelope's time (RFC 3339) as the start of the interruption, except for Health events.
      const startOf = (kind: string): string | undefined => parsed.find((event) => event.kind === kind)?.startTime;
      assert.equal(startOf('SPOT_ITN'), events[1]!.time);
      assert.equal(startOf('STATE_CHANGE'), events[3]!.time);
      assert.equal(startOf('ASG_LIFECYCLE'), events[4]!.time);
      assert.equal(startOf('REBALANCE_RECOMMENDATION'), events[0]!.time);
    });

    test('Karpenter: each EC2 and Health event parses to its interruption kind for our instance; ASG events are not its business', async () => {
      const queueUrl = await suite.moto.createQueue('karpenter');
      const delivery = createSqsDelivery({ queueUrl, endpoint: suite.moto.endpoint, region: 'us-east-1', credentials: FAKE_CREDENTIALS });
      const events = occurrences.map((occurrence) => buildEventBridgeEvent(occurrence, identity));
      for (const event of events) delivery.send(event);
      assert.equal(await delivery.flush(10_000), true);
      await delivery.close();
      const bodies = (await suite.moto.receiveCount(queueUrl, events.length)).map((message) => message.Body!);
      const byId = new Map(bodies.map((body) => [(JSON.parse(body) as { id: string }).id, body]));
      const parsed = await runKarpenterCheck(
        karpenter,
        events.map((event) => byId.get(event.id)!),
      );
      assert.deepEqual(parsed.slice(0, 4), [
        { kind: 'rebalance_recommendation', instanceIds: [identity.instanceId], startTime: events[0]!.time },
        { kind: 'spot_interrupted', instanceIds: [identity.instanceId], startTime: events[1]!.time },
        { kind: 'scheduled_change', instanceIds: [identity.instanceId], startTime: events[2]!.time },
        { kind: 'instance_terminated', instanceIds: [identity.instanceId], startTime: events[3]!.time },
      ]);
      assert.match(parsed[4]!.error ?? '', /no parser for 0 aws.autoscaling EC2 Instance-terminate Lifecycle Action/);
    });
  },
  { alsoNeeds: findGo() },
);
