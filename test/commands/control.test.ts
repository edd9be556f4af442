import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { send } from '../helpers/http.js';
import { runCli, startCliServer, type CliServer } from '../helpers/run-cli.js';

describe('aemm replay with mock flags', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aemm-mocks-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('spot, events, asg, tags and faults from flags', async () => {
    const server = await startCliServer([
      'replay',
      '--port',
      '0',
      '--quiet',
      '--spot',
      'stop',
      '--events',
      'instance-stop',
      '--events-state',
      'active',
      '--asg-terminate-after',
      '1h',
      '--tags',
      'Name=web',
      '--tags',
      'New=1',
      '--fault',
      'meta-data/ami-id=503',
      '--mock-ip-count',
      '5',
    ]);
    try {
      assert.match(
        (await send(server.url, '/latest/meta-data/spot/instance-action')).text,
        /^\{"action": "stop", "time": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\}$/,
      );
      assert.match((await send(server.url, '/latest/meta-data/events/maintenance/scheduled')).text, /"Code" : "instance-stop"/);
      assert.equal((await send(server.url, '/latest/meta-data/autoscaling/target-lifecycle-state')).text, 'InService');
      assert.equal((await send(server.url, '/latest/meta-data/tags/instance/Name')).text, 'web');
      assert.equal((await send(server.url, '/latest/meta-data/ami-id')).status, 503);
      assert.match(server.output(), /spot stop, time \d{4}-\d\d-\d\dT/);
      assert.match(server.output(), /notices for the first 5 client addresses only/);
    } finally {
      await server.stop();
    }
  });

  test('layer files stack, and flags win over them', async () => {
    const first = join(dir, 'first.json');
    const second = join(dir, 'second.json');
    await writeFile(first, JSON.stringify({ spot: { action: 'hibernate' }, tags: { mode: 'replace', values: { A: '1' } } }));
    await writeFile(second, JSON.stringify({ rebalance: true, imdsv2: 'required' }));
    const server = await startCliServer(['replay', '--port', '0', '--quiet', '--layers', first, '--layers', second, '--spot', 'terminate']);
    try {
      assert.equal((await send(server.url, '/latest/meta-data/tags/instance/')).status, 401, 'imdsv2 from the second file');
      const token = (
        await send(server.url, '/latest/api/token', { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } })
      ).text;
      const get = (path: string) => send(server.url, path, { headers: { 'x-aws-ec2-metadata-token': token } });
      assert.equal((await get('/latest/meta-data/tags/instance/')).text, 'A');
      assert.match((await get('/latest/meta-data/spot/instance-action')).text, /"terminate"/);
      assert.equal((await get('/latest/meta-data/events/recommendations/rebalance')).status, 200);
    } finally {
      await server.stop();
    }
  });

  const mistakes: Array<[string, string[], RegExp]> = [
    ['a bad spot action', ['--spot', 'explode'], /Expected --spot=explode to be one of: terminate, stop, hibernate/],
    ['a bad delay', ['--spot-delay', 'soon'], /spot\.delay "soon" is not a duration/],
    ['a bad fault', ['--fault', 'spot'], /--fault "spot" is not PATTERN=EFFECT/],
    ['a bad tag', ['--tags', 'no-equals'], /--tags "no-equals" is not KEY=VALUE/],
    ['a missing layer file', ['--layers', '/nonexistent/layers.json'], /Layer file "\/nonexistent\/layers\.json" does not exist/],
  ];
  for (const [name, args, message] of mistakes) {
    test(`${name} is one line and exit 2`, async () => {
      const result = await runCli(['replay', '--port', '0', ...args]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    });
  }

  test('a layer file with a bad setting names the file', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ events: [{ code: 'FOO' }] }));
    const result = await runCli(['replay', '--port', '0', '--layers', path]);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^Error: Layer file ".*bad\.json": Event code "FOO" is not allowed\. Use one of: instance-reboot, system-reboot/,
    );
  });
});

describe('aemm control / aemm trigger', () => {
  let server: CliServer;
  before(async () => {
    server = await startCliServer(['replay', '--port', '0', '--quiet']);
  });
  after(() => server.stop());

  test('trigger spot shows the notice at once and prints the state', async () => {
    const result = await runCli(['trigger', 'spot', '--action', 'stop', '--url', server.url]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /spot +stop, time .* active since/);
    assert.match((await send(server.url, '/latest/meta-data/spot/instance-action')).text, /"stop"/);
  });

  test('control event --json prints the state as JSON', async () => {
    const result = await runCli(['control', 'event', '--code', 'instance-retirement', '--delay', '1h', '--url', server.url, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const status = JSON.parse(result.stdout) as { mocks: Array<{ kind: string; active: boolean; detail: string }> };
    assert.deepEqual(
      status.mocks.find((mock) => mock.kind === 'event'),
      { ...status.mocks.find((mock) => mock.kind === 'event'), active: false, detail: 'instance-retirement (active)' },
    );
  });

  test('advance, then clear and reset', async () => {
    assert.equal((await runCli(['control', 'advance', '--by', '1h', '--url', server.url])).code, 0);
    assert.match((await send(server.url, '/latest/meta-data/events/maintenance/scheduled')).text, /instance-retirement/);
    assert.equal((await runCli(['control', 'clear', '--kind', 'events', '--url', server.url])).code, 0);
    assert.equal((await send(server.url, '/latest/meta-data/events/maintenance/scheduled')).text, '[]');
    const reset = await runCli(['control', 'reset', '--url', server.url]);
    assert.match(reset.stdout, /mocks +none/);
    assert.equal((await send(server.url, '/latest/meta-data/spot/instance-action')).status, 404);
  });

  test('AEMM_URL is read from the environment', async () => {
    const result = await runCli(['control', 'status'], { AEMM_URL: server.url });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /tokens +optional/);
  });

  const mistakes: Array<[string, string[], RegExp]> = [
    ['settings the server refuses', ['spot', '--delay', 'later'], /^Error: spot\.delay "later" is not a duration/],
    ['a missing required flag', ['fault'], /^Error: aemm control fault needs --path/],
    ['an unknown verb', ['explode'], /Expected explode to be one of/],
  ];
  for (const [name, args, message] of mistakes) {
    test(`${name} is one line and exit 2`, async () => {
      const result = await runCli(['control', ...args, '--url', server.url]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, message);
      assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    });
  }

  test('an unreachable server is one line and exit 2', async () => {
    const result = await runCli(['control', 'status', '--url', 'http://127.0.0.1:9']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^Error: Cannot reach the control API at http:\/\/127\.0\.0\.1:9 \(.+\)\. Start aemm replay first/);
  });
});
