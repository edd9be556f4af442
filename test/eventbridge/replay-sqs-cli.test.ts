import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EventBridgeEvent } from '../../src/eventbridge/build-eventbridge-event.js';
import { send } from '../helpers/http.js';
import { freePort } from '../helpers/moto.js';
import { runCli, startCliServer } from '../helpers/run-cli.js';
import { describeWithMoto } from './describe-with-moto.js';

describe('aemm replay --sqs-*: bad input is one line and exit 2, before serving', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aemm-sqs-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const mistakes: Array<[string, string[], RegExp]> = [
    [
      'a queue URL that is not a URL',
      ['--sqs-queue-url', 'my-queue'],
      /^Error: --sqs-queue-url "my-queue" is not a URL\. Give one like http:\/\/127\.0\.0\.1:9324\/000000000000\/aemm-events\.\n$/,
    ],
    [
      'an unknown region',
      ['--sqs-queue-url', 'http://127.0.0.1:9324/000000000000/q', '--sqs-region', 'us-east-9'],
      /^Error: --sqs-region "us-east-9" is not an AWS region\. Use one like us-east-1 or eu-west-1\.\n$/,
    ],
    [
      'a real AWS queue without an endpoint',
      ['--sqs-queue-url', 'https://sqs.eu-west-1.amazonaws.com/123456789012/q'],
      /^Error: Refusing to send events to the queue URL's host sqs\.eu-west-1\.amazonaws\.com \(no endpoint was given\): aemm never needs real AWS\..*--sqs-allow-remote.*\n$/,
    ],
    [
      'a non-loopback endpoint',
      ['--sqs-queue-url', 'http://127.0.0.1:9324/1/q', '--sqs-endpoint', 'http://192.168.1.10:9324'],
      /^Error: Refusing to send events to 192\.168\.1\.10:9324: aemm never needs real AWS\./,
    ],
    [
      'a remote endpoint allowed but no credentials',
      ['--sqs-queue-url', 'https://sqs.eu-west-1.amazonaws.com/123456789012/q', '--sqs-allow-remote'],
      /^Error: Sending events to a remote SQS endpoint needs credentials, and none are set\./,
    ],
    [
      'an endpoint with credentials in it',
      ['--sqs-queue-url', 'http://127.0.0.1:9324/1/q', '--sqs-endpoint', 'http://key:secret@127.0.0.1:9324'],
      /^Error: --sqs-endpoint "http:\/\/key:secret@127\.0\.0\.1:9324" carries credentials\./,
    ],
    [
      'an endpoint without a queue URL',
      ['--sqs-endpoint', 'http://127.0.0.1:9324'],
      /^Error: --sqs-queue-url is missing\. Give one like http:\/\/127\.0\.0\.1:9324\/000000000000\/aemm-events\.\n$/,
    ],
  ];
  for (const [what, args, expected] of mistakes) {
    test(`refuses ${what}`, async () => {
      const env = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };
      const result = await runCli(['replay', '--port', '0', ...args], env);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, expected);
      assert.equal(result.stdout, '', 'nothing served');
    });
  }

  const withSqs = async (file: string, sqs: unknown): Promise<string> => {
    const path = join(dir, file);
    await writeFile(
      path,
      JSON.stringify({
        format: 'aemm-scenario/1',
        name: 'with-sqs',
        steps: [{ name: 'notice', at: '1h', apply: { spot: 'terminate' } }],
        sqs,
      }),
    );
    return path;
  };
  const scenarioMistakes: Array<[string, unknown, RegExp]> = [
    [
      'a remote endpoint',
      { queueUrl: 'http://127.0.0.1:9324/1/q', endpoint: 'http://10.0.0.1:9324' },
      /^Error: Refusing to send events to 10\.0\.0\.1:9324: aemm never needs real AWS\./,
    ],
    [
      'a real AWS queue without an endpoint',
      { queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/q' },
      /^Error: Refusing to send events to the queue URL's host sqs\.eu-west-1\.amazonaws\.com/,
    ],
    [
      'a made-up region',
      { queueUrl: 'http://127.0.0.1:9324/1/q', region: 'us-east-9' },
      /^Error: sqs\.region \(scenario "with-sqs"\) "us-east-9" is not an AWS region\. Use one like us-east-1 or eu-west-1\.\n$/,
    ],
    ['a queue URL that is not one', { queueUrl: 'my-queue' }, /^Error: sqs\.queueUrl \(scenario "with-sqs"\) "my-queue" is not a URL\./],
    [
      'a setting of the wrong type',
      { queueUrl: 'http://127.0.0.1:9324/1/q', allowRemote: 'yes' },
      /^Error: Failed to load scenario ".*with-sqs-4\.json": sqs\.allowRemote must be true or false\.\n$/,
    ],
  ];
  scenarioMistakes.forEach(([what, sqs, expected], index) => {
    test(`refuses an sqs section in a scenario file with ${what}, before serving`, async () => {
      const result = await runCli(['replay', '--port', '0', '--scenario', await withSqs(`with-sqs-${index}.json`, sqs)], {
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
      });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, expected);
      assert.equal(result.stdout, '', 'nothing served');
    });
  });

  test("the flags win over a scenario file's sqs section, key by key", async () => {
    const path = await withSqs('overridden.json', {
      queueUrl: 'http://127.0.0.1:9/123456789012/q',
      endpoint: 'http://10.0.0.1:9324',
      region: 'us-east-9',
    });
    const server = await startCliServer([
      'replay',
      '--port',
      '0',
      '--scenario',
      path,
      '--sqs-endpoint',
      'http://127.0.0.1:9',
      '--sqs-region',
      'eu-west-1',
    ]);
    const result = await server.stop('SIGINT');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /events +EventBridge events to http:\/\/127\.0\.0\.1:9\/123456789012\/q/);
  });

  test('refuses a bad sqs section in a layer file, naming the file', async () => {
    const path = join(dir, 'bad-sqs.json');
    await writeFile(path, JSON.stringify({ spot: true, sqs: 'http://127.0.0.1:9324/1/q' }));
    const result = await runCli(['replay', '--port', '0', '--layers', path]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^Error: Layer file ".*bad-sqs\.json": sqs must be an object like/);
  });
});

describeWithMoto('aemm replay --sqs-queue-url against moto', (suite) => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'aemm-sqs-cli-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a spot notice from --spot reaches the queue; the banner, log and control status say so', { timeout: 60_000 }, async () => {
    const queueUrl = await suite.moto.createQueue('cli');
    const server = await startCliServer([
      'replay',
      '--port',
      '0',
      '--spot',
      'terminate',
      '--sqs-queue-url',
      queueUrl,
      '--sqs-endpoint',
      suite.moto.endpoint,
    ]);
    const [message] = await suite.moto.receiveCount(queueUrl, 1);
    const event = JSON.parse(message!.Body!) as EventBridgeEvent;
    const action = JSON.parse((await send(server.url, '/latest/meta-data/spot/instance-action')).text) as { action: string };
    assert.equal(event['detail-type'], 'EC2 Spot Instance Interruption Warning');
    assert.equal(event.detail['instance-action'], action.action);
    assert.equal(event.detail['instance-id'], (await send(server.url, '/latest/meta-data/instance-id')).text);
    const status = await runCli(['control', 'status', '--url', server.url]);
    assert.match(status.stdout, new RegExp(`events +1 sent, 0 pending to ${queueUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const result = await server.stop('SIGINT');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /events +EventBridge events to http:\/\/127\.0\.0\.1:\d+\/\d+\/cli/);
    assert.match(result.stdout, /event EC2 Spot Instance Interruption Warning \S+Z id [0-9a-f-]{36}/);
  });

  test("an sqs section in a scenario file sends the scenario's notices without any --sqs flag", { timeout: 60_000 }, async () => {
    const queueUrl = await suite.moto.createQueue('from-scenario');
    const path = join(dir, 'scenario-sqs.json');
    await writeFile(
      path,
      JSON.stringify({
        format: 'aemm-scenario/1',
        name: 'notice-now',
        steps: [{ name: 'notice', at: '0s', apply: { spot: 'stop' } }],
        sqs: { queueUrl, endpoint: suite.moto.endpoint, region: 'us-east-1' },
      }),
    );
    const server = await startCliServer(['replay', '--port', '0', '--quiet', '--scenario', path]);
    try {
      const [message] = await suite.moto.receiveCount(queueUrl, 1);
      const event = JSON.parse(message!.Body!) as EventBridgeEvent;
      assert.deepEqual([event['detail-type'], event.detail['instance-action']], ['EC2 Spot Instance Interruption Warning', 'stop']);
      assert.equal(event.detail['instance-id'], (await send(server.url, '/latest/meta-data/instance-id')).text);
    } finally {
      assert.equal((await server.stop('SIGINT')).code, 0);
    }
  });

  test(
    'an sqs section in a layer file works like the flags; an unreachable queue is reported, and its events are printed at exit',
    { timeout: 60_000 },
    async () => {
      const path = join(dir, 'sqs.json');
      const port = await freePort();
      await writeFile(path, JSON.stringify({ rebalance: true, sqs: { queueUrl: `http://127.0.0.1:${port}/123456789012/gone` } }));
      const server = await startCliServer(['replay', '--port', '0', '--layers', path]);
      assert.equal((await send(server.url, '/latest/meta-data/events/recommendations/rebalance')).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const result = await server.stop('SIGTERM');
      assert.equal(result.code, 0);
      assert.match(
        result.stderr,
        /Warning: SendMessage failed \(.*(ECONNREFUSED|connect).*\); 1 event kept, retrying in \d+ ms\. IMDS keeps serving\./,
      );
      assert.match(
        result.stderr,
        /Error: 1 EventBridge event could not be sent before exit \(last error: .*\)\. It follows as JSON lines:\n\{"version":"0".*"detail-type":"EC2 Instance Rebalance Recommendation"/,
      );
    },
  );
});
