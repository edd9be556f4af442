import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseDuration } from '../../src/core/parse-duration.js';
import type { EventBridgeEvent } from '../../src/eventbridge/build-eventbridge-event.js';
import { runCli } from '../helpers/run-cli.js';

const lines = (stdout: string): EventBridgeEvent[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as EventBridgeEvent);

test('aemm events preview prints the events of the layers as JSON lines, oldest first, the same every run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aemm-preview-'));
  try {
    const file = join(dir, 'layers.json');
    await writeFile(
      file,
      JSON.stringify({
        events: [{ code: 'system-reboot', delay: '10m', notBefore: '2026-12-03T00:00:00Z', notAfter: '2026-12-03T02:00:00Z' }],
        asg: { state: 'Terminated', delay: '1h' },
        sqs: { autoScalingGroupName: 'from-file' },
      }),
    );
    const args = [
      'events',
      'preview',
      'recordings/m7g-large.json',
      '--layers',
      file,
      '--rebalance',
      '--spot',
      'hibernate',
      '--spot-delay',
      '1m',
      '--start',
      '2026-12-01T10:00:00Z',
      '--sqs-hook-name',
      'drain',
    ];
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    const events = lines(first.stdout);
    assert.deepEqual(
      events.map((event) => [event.time, event['detail-type']]),
      [
        ['2026-12-01T10:00:00Z', 'EC2 Instance Rebalance Recommendation'],
        ['2026-12-01T10:01:00Z', 'EC2 Spot Instance Interruption Warning'],
        // Hibernation has no two-minute lead: the instance stops as the warning comes.
        ['2026-12-01T10:01:00Z', 'EC2 Instance State-change Notification'],
        ['2026-12-01T10:01:00Z', 'EC2 Instance State-change Notification'],
        ['2026-12-01T10:10:00Z', 'AWS Health Event'],
        ['2026-12-01T11:00:00Z', 'EC2 Instance-terminate Lifecycle Action'],
      ],
    );
    // The identity is the cassette's (m7g-large is eu-west-1), not the default recording's.
    const document = (await import('../../recordings/m7g-large.json', { with: { type: 'json' } })).default.entries[
      '/latest/dynamic/instance-identity/document'
    ].body;
    const identity = JSON.parse(document) as { accountId: string; region: string; instanceId: string };
    for (const event of events) assert.deepEqual([event.account, event.region], [identity.accountId, identity.region]);
    assert.equal(events[1]!.detail['instance-id'], identity.instanceId);
    assert.deepEqual([events[5]!.detail.AutoScalingGroupName, events[5]!.detail.LifecycleHookName], ['from-file', 'drain']);
    assert.equal(events[4]!.detail.startTime, 'Thu, 03 Dec 2026 00:00:00 GMT');
    const second = await runCli(args);
    assert.equal(second.stdout, first.stdout, 'ids and all are deterministic');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('aemm events preview: nothing to announce prints nothing; a bad --start is one line and exit 2', async () => {
  const empty = await runCli(['events', 'preview']);
  assert.equal(empty.code, 0);
  assert.equal(empty.stdout, '');
  const bad = await runCli(['events', 'preview', '--start', 'yesterday']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^Error: --start "yesterday" is not a time\. Use RFC 3339/);
});

describe('aemm events preview --scenario: the events a scenario sends, at its own times', () => {
  const START = '2026-12-01T10:00:00Z';
  const at = (offset: string): string => new Date(Date.parse(START) + parseDuration(offset, 'offset')).toISOString().replace('.000Z', 'Z');
  // [scenario, each event as [when, detail-type, what it says]], from the built-in timelines.
  const table: Array<[string, Array<[string, string, unknown]>]> = [
    [
      'spot-interruption',
      [
        [at('1m'), 'EC2 Instance Rebalance Recommendation', undefined],
        [at('2m'), 'EC2 Spot Instance Interruption Warning', 'terminate'],
        [at('4m'), 'EC2 Instance State-change Notification', 'shutting-down'],
        [at('4m'), 'EC2 Instance State-change Notification', 'terminated'],
      ],
    ],
    [
      'spot-stop',
      [
        [at('1m'), 'EC2 Spot Instance Interruption Warning', 'stop'],
        [at('3m'), 'EC2 Instance State-change Notification', 'stopping'],
        [at('3m'), 'EC2 Instance State-change Notification', 'stopped'],
      ],
    ],
    [
      'spot-hibernate',
      [
        [at('1m'), 'EC2 Spot Instance Interruption Warning', 'hibernate'],
        [at('1m'), 'EC2 Instance State-change Notification', 'stopping'],
        [at('1m'), 'EC2 Instance State-change Notification', 'stopped'],
      ],
    ],
    [
      'scheduled-reboot',
      [
        [at('30s'), 'AWS Health Event', 'upcoming'],
        [at('6m30s'), 'AWS Health Event', 'closed'],
      ],
    ],
    [
      'maintenance-canceled',
      [
        [at('30s'), 'AWS Health Event', 'upcoming'],
        [at('2m30s'), 'AWS Health Event', 'closed'],
      ],
    ],
    [
      'degraded-hardware-stop',
      [
        [at('30s'), 'AWS Health Event', 'upcoming'],
        [at('10m30s'), 'EC2 Instance State-change Notification', 'stopping'],
        [at('10m30s'), 'EC2 Instance State-change Notification', 'stopped'],
      ],
    ],
    ['asg-scale-in', [[at('1m'), 'EC2 Instance-terminate Lifecycle Action', 'autoscaling:EC2_INSTANCE_TERMINATING']]],
    ['early-boot', []],
  ];
  const says = (event: EventBridgeEvent): unknown =>
    event.detail['instance-action'] ?? event.detail.state ?? event.detail.statusCode ?? event.detail.LifecycleTransition;

  for (const [scenario, expected] of table) {
    test(`${scenario}: ${expected.length} event${expected.length === 1 ? '' : 's'}, each at its step's time`, async () => {
      const result = await runCli(['events', 'preview', '--scenario', scenario, '--start', START]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.deepEqual(
        lines(result.stdout).map((event) => [event.time, event['detail-type'], says(event)]),
        expected,
      );
    });
  }

  test("the events carry the cassette's identity (a shipped recording by name), and the same run prints the same bytes", async () => {
    const args = ['events', 'preview', 'm7g-large', '--scenario', 'spot-interruption', '--start', START];
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    const document = (await import('../../recordings/m7g-large.json', { with: { type: 'json' } })).default.entries[
      '/latest/dynamic/instance-identity/document'
    ].body;
    const identity = JSON.parse(document) as { accountId: string; region: string; instanceId: string };
    const events = lines(first.stdout);
    assert.equal(events.length, 4);
    for (const event of events) {
      assert.deepEqual([event.account, event.region], [identity.accountId, identity.region]);
      assert.ok(
        event.resources.some((arn) => arn.endsWith(`instance/${identity.instanceId}`)),
        event.resources.join(),
      );
    }
    assert.equal((await runCli(args)).stdout, first.stdout);
  });

  describe('scenario files', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'aemm-preview-scenario-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));
    const write = async (name: string, scenario: unknown): Promise<string> => {
      const path = join(dir, name);
      await writeFile(path, JSON.stringify(scenario));
      return path;
    };

    test('a file plays like a built-in; a step waiting for a control call stops the timeline there, with a note', async () => {
      const path = await write('mine.json', {
        format: 'aemm-scenario/1',
        name: 'mine',
        steps: [
          { name: 'notice', at: '10m', apply: { spot: { action: 'stop', time: '2026-12-01T10:30:00Z' } } },
          { name: 'scale-in', after: '5m', apply: { asg: { state: 'Terminated' } } },
          { name: 'rebalance', on: { control: 'go' }, apply: { rebalance: true } },
        ],
      });
      const result = await runCli(['events', 'preview', '--scenario', path, '--start', START]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        lines(result.stdout).map((event) => [event.time, event['detail-type'], says(event)]),
        [
          [at('10m'), 'EC2 Spot Instance Interruption Warning', 'stop'],
          [at('15m'), 'EC2 Instance-terminate Lifecycle Action', 'autoscaling:EC2_INSTANCE_TERMINATING'],
          [at('30m'), 'EC2 Instance State-change Notification', 'stopping'],
          [at('30m'), 'EC2 Instance State-change Notification', 'stopped'],
        ],
      );
      assert.equal(
        result.stderr,
        'Note: step "rebalance" waits for control call "go", which a preview never sees; the events above are those before it.\n',
      );
    });

    test("the hook names of a scenario file's sqs section go into its lifecycle events; the flags win over them", async () => {
      const path = await write('scale-in.json', {
        format: 'aemm-scenario/1',
        name: 'scale-in',
        steps: [{ name: 'scale-in', at: '1m', apply: { asg: { state: 'Terminated' } } }],
        sqs: { autoScalingGroupName: 'from-scenario', lifecycleHookName: 'scenario-hook', notificationMetadata: 'drain-me' },
      });
      const hook = async (...flags: string[]): Promise<unknown[]> => {
        const result = await runCli(['events', 'preview', '--scenario', path, '--start', START, ...flags]);
        assert.equal(result.code, 0, result.stderr);
        return lines(result.stdout).map((event) => [
          event.detail.AutoScalingGroupName,
          event.detail.LifecycleHookName,
          event.detail.NotificationMetadata,
        ]);
      };
      assert.deepEqual(await hook(), [['from-scenario', 'scenario-hook', 'drain-me']]);
      assert.deepEqual(await hook('--sqs-asg-name', 'from-flag'), [['from-flag', 'scenario-hook', 'drain-me']]);
    });

    const mistakes: Array<[string, () => Promise<string>, RegExp, string]> = [
      [
        'an unknown name lists the built-in scenarios',
        async () => 'spot-interuption',
        /^Failed to load scenario "spot-interuption": the file does not exist and no built-in scenario has that name\. Use a path to a scenario file or one of: spot-interruption, spot-stop, .*hop-limit-container\.$/,
        'SCENARIO_INVALID',
      ],
      [
        'a file that fails the schema names the step and the field',
        () =>
          write('bad-field.json', {
            format: 'aemm-scenario/1',
            name: 'x',
            steps: [{ name: 'notice', at: '1m', apply: { spot: { action: 'explode' } } }],
          }),
        /^Failed to load scenario ".*bad-field\.json": step "notice" \(#1\): Spot action "explode" is not allowed\. Use one of: terminate, stop, hibernate\.$/,
        'SCENARIO_INVALID',
      ],
      [
        'a step with an unknown setting names it',
        () =>
          write('bad-step.json', { format: 'aemm-scenario/1', name: 'x', steps: [{ name: 'notice', at: '1m', aply: { spot: 'stop' } }] }),
        /^Failed to load scenario ".*bad-step\.json": step "notice" \(#1\): the step has unknown setting "aply"\./,
        'SCENARIO_INVALID',
      ],
      [
        'a file with an unknown top-level setting names it',
        () => write('bad-top.json', { format: 'aemm-scenario/1', name: 'x', stepz: [] }),
        /^Failed to load scenario ".*bad-top\.json": unknown setting "stepz"\./,
        'SCENARIO_INVALID',
      ],
      [
        'a file that is not JSON says so',
        async () => {
          const path = join(dir, 'broken.json');
          await writeFile(path, '{"format": ');
          return path;
        },
        /^Failed to load scenario ".*broken\.json": it is not valid JSON/,
        'SCENARIO_INVALID',
      ],
    ];
    for (const [what, scenario, message, code] of mistakes) {
      test(`${what}: one line and exit 2, or one JSON object with --json`, async () => {
        const name = await scenario();
        const plain = await runCli(['events', 'preview', '--scenario', name]);
        assert.equal(plain.code, 2);
        assert.equal(plain.stdout, '');
        assert.equal(plain.stderr.split('\n').length, 2, plain.stderr);
        assert.match(plain.stderr.replace(/^Error: /, '').trimEnd(), message);
        const json = await runCli(['events', 'preview', '--scenario', name, '--json']);
        assert.equal(json.code, 2);
        assert.equal(json.stderr, '');
        const { error } = JSON.parse(json.stdout) as { error: { code: string; message: string } };
        assert.equal(error.code, code);
        assert.match(error.message, message);
      });
    }
  });
});
