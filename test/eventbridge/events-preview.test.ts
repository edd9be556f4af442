import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EventBridgeEvent } from '../../src/eventbridge/build-eventbridge-event.js';
import { runCli } from '../helpers/run-cli.js';

const lines = (stdout: string): EventBridgeEvent[] => stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as EventBridgeEvent);

test('aemm events preview prints the events of the layers as JSON lines, oldest first, the same every run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'aemm-preview-'));
  try {
    const file = join(dir, 'layers.json');
    await writeFile(file, JSON.stringify({
      events: [{ code: 'system-reboot', delay: '10m', notBefore: '2026-12-03T00:00:00Z', notAfter: '2026-12-03T02:00:00Z' }],
      asg: { state: 'Terminated', delay: '1h' },
      sqs: { autoScalingGroupName: 'from-file' },
    }));
    const args = ['events', 'preview', 'recordings/m7g-large.json', '--layers', file, '--rebalance', '--spot', 'hibernate', '--spot-delay', '1m', '--start', '2026-12-01T10:00:00Z', '--sqs-hook-name', 'drain'];
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    const events = lines(first.stdout);
    assert.deepEqual(events.map((event) => [event.time, event['detail-type']]), [
      ['2026-12-01T10:00:00Z', 'EC2 Instance Rebalance Recommendation'],
      ['2026-12-01T10:01:00Z', 'EC2 Spot Instance Interruption Warning'],
      // Hibernation has no two-minute lead: the instance stops as the warning comes.
      ['2026-12-01T10:01:00Z', 'EC2 Instance State-change Notification'],
      ['2026-12-01T10:01:00Z', 'EC2 Instance State-change Notification'],
      ['2026-12-01T10:10:00Z', 'AWS Health Event'],
      ['2026-12-01T11:00:00Z', 'EC2 Instance-terminate Lifecycle Action'],
    ]);
    // The identity is the cassette's (m7g-large is eu-west-1), not the default recording's.
    const document = (await import('../../recordings/m7g-large.json', { with: { type: 'json' } })).default.entries['/latest/dynamic/instance-identity/document'].body;
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
