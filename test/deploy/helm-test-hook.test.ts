import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findGoTool, HELM } from '../helpers/go-tool.js';
import { startAemm } from '../aemm/spawn-ec2-metadata-mock.js';
import { getContainer, listWorkloads, renderChart, toProcessEnv, type K8sObject } from './render-chart.js';

// No cluster runs here, so `helm test` cannot schedule its pod. What the pod would do is a shell
// script that curls the chart's Service; this runs that rendered script unchanged with the real sh
// and curl, against the drop-in started with the rendered Deployment's args and env. A curl shim
// connects the Service's cluster name to that drop-in on loopback and refuses any other URL, so
// nothing leaves the machine.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const helm = findGoTool(HELM);
const curl = spawnSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).stdout.trim();
const missing = 'missing' in helm ? helm.missing : curl === '' ? 'curl is not installed (the helm test pod runs curl)' : undefined;

interface TestPod {
  script: string;
  host: string;
  port: number;
}

/** The chart's `helm test` pod: its shell script and the Service (cluster name and port) it asks. */
function findTestPod(objects: readonly K8sObject[]): TestPod {
  const pod = objects.find((object) => object.kind === 'Pod' && object.metadata.annotations?.['helm.sh/hook'] === 'test');
  assert.ok(pod, 'the chart renders a helm test pod');
  const container = (pod.spec!.containers as { command: string[]; args: string[] }[])[0]!;
  assert.deepEqual(container.command, ['sh', '-c']);
  const service = objects.find((object) => object.kind === 'Service')!;
  const port = (service.spec!.ports as { port: number }[])[0]!.port;
  return { script: container.args[0]!, host: `${service.metadata.name}.default.svc.cluster.local`, port };
}

let home: string;
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'aemm-helm-test-'));
});
after(() => rm(home, { recursive: true, force: true }));

/** Runs the test pod's script with `curl` connecting the Service to `target` on loopback; its exit code and output. */
async function runTestPod(pod: TestPod, target: number): Promise<{ code: number | null; output: string }> {
  const shimDir = await mkdtemp(join(home, 'shim-'));
  const origin = `http://${pod.host}:${pod.port}/`;
  const shim = [
    '#!/bin/sh',
    'for arg in "$@"; do',
    '  case "$arg" in',
    `    ${origin}*) ;;`,
    '    http://*|https://*) echo "curl shim: refusing $arg (not the chart\'s Service)" >&2; exit 97 ;;',
    '  esac',
    'done',
    `exec ${curl} --connect-to ${pod.host}:${pod.port}:127.0.0.1:${target} "$@"`,
    '',
  ].join('\n');
  await writeFile(join(shimDir, 'curl'), shim);
  await chmod(join(shimDir, 'curl'), 0o755);
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', pod.script], { env: { PATH: `${shimDir}:${process.env.PATH ?? ''}` } });
    let output = '';
    for (const stream of [child.stdout, child.stderr]) stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** Renders the chart, starts the drop-in as its Deployment would run it, and runs the test pod against it. */
async function helmTest(sets: readonly string[], env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const rendered = renderChart((helm as { path: string }).path, sets);
  if ('error' in rendered) assert.fail(rendered.error);
  const container = getContainer(listWorkloads(rendered.objects)[0]!);
  const aemm = await startAemm([...(container.args ?? []), '-n', '127.0.0.1', '-p', '0'], {
    env: { HOME: home, ...toProcessEnv(container), ...env },
    cwd: ROOT,
  });
  try {
    return await runTestPod(findTestPod(rendered.objects), aemm.port);
  } finally {
    await aemm.stop();
  }
}

describe(
  "helm test: the chart's test pod, run as its script against the pod it tests",
  { skip: missing !== undefined && !process.env.CI ? `skipped: ${missing}` : false },
  () => {
    before(() => {
      if (missing !== undefined) assert.fail(missing);
    });

    test('with the defaults it finds the instance id and passes', async () => {
      const result = await helmTest([]);
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /^instance id: i-1234567890abcdef0$/m);
    });

    test('with aemm.imdsv2=true it takes the token flow and passes', async () => {
      const result = await helmTest(['aemm.imdsv2=true']);
      assert.equal(result.code, 0, result.output);
      assert.match(result.output, /^instance id: i-1234567890abcdef0$/m);
    });

    test('on another serviceName and servicePort it follows them and passes', async () => {
      const result = await helmTest(['serviceName=my-aemm', 'servicePort=1550']);
      assert.equal(result.code, 0, result.output);
    });

    test('it fails when the pod serves something that is not an instance id', async () => {
      const config = join(home, 'bad-id.json');
      await writeFile(config, JSON.stringify({ metadata: { values: { 'instance-id': 'not-an-id' } } }));
      const result = await helmTest([], { AEMM_CONFIG_FILE: config });
      assert.equal(result.code, 1, result.output);
      assert.match(result.output, /not an instance id/);
    });

    test('it fails when nothing answers on the Service', async () => {
      const rendered = renderChart((helm as { path: string }).path, []);
      if ('error' in rendered) assert.fail(rendered.error);
      // Port 1 on loopback: nothing listens there, so curl is refused at once.
      const result = await runTestPod(findTestPod(rendered.objects), 1);
      assert.notEqual(result.code, 0, result.output);
    });
  },
);
