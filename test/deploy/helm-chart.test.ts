import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { toInstanceId } from '../../src/aemm/apply-aemm-identity.js';
import { send } from '../helpers/http.js';
import { findGoTool, HELM } from '../helpers/go-tool.js';
import { runAemm, startAemm, type AemmProcess } from '../aemm/spawn-ec2-metadata-mock.js';
import { CHART_DIR, getContainer, listWorkloads, renderChart, toProcessEnv, type K8sObject } from './render-chart.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const META = '/latest/meta-data';
const SPOT = `${META}/spot/instance-action`;
const EVENTS = `${META}/events/maintenance/scheduled`;
const helm = findGoTool(HELM);

function render(sets: readonly string[], extra: readonly string[] = []): K8sObject[] {
  const rendered = renderChart((helm as { path: string }).path, sets, extra);
  if ('error' in rendered) assert.fail(rendered.error);
  return rendered.objects;
}

let home: string;
before(async () => {
  home = await mkdtemp(join(tmpdir(), 'aemm-chart-'));
});
after(() => rm(home, { recursive: true, force: true }));

/**
 * Starts the drop-in as the rendered pod would run it (its args and env), on loopback with control
 * on to move its clock: in this process, or as the built bin in the repository (the image's
 * working folder holds the same files) when a cassette path is relative to that folder.
 */
async function startPod(
  objects: readonly K8sObject[],
  env: Record<string, string> = {},
  node?: { name: string; ip: string },
): Promise<AemmProcess> {
  const container = getContainer(listWorkloads(objects)[0]!);
  const args = container.args ?? [];
  const relativeCassette = args.some((arg, index) => args[index - 1] === '--cassette' && !isAbsolute(arg));
  return startAemm([...args, '-n', '127.0.0.1', '-p', '0', '--control'], {
    env: { HOME: home, ...toProcessEnv(container, node), ...env },
    ...(relativeCassette ? { cwd: ROOT } : {}),
  });
}

async function withPod(
  objects: readonly K8sObject[],
  run: (pod: AemmProcess) => Promise<void>,
  env: Record<string, string> = {},
  node?: { name: string; ip: string },
): Promise<void> {
  const pod = await startPod(objects, env, node);
  try {
    await run(pod);
  } finally {
    await pod.stop();
  }
}

const advance = (pod: AemmProcess, by: string) =>
  send(pod.url, '/__aemm/advance', {
    method: 'POST',
    body: JSON.stringify({ by }),
    headers: { 'content-type': 'application/json', 'x-aemm-control': '1' },
  });

describe(
  'the Helm chart (deploy/helm/amazon-ec2-metadata-mock)',
  { skip: 'missing' in helm && !process.env.CI ? `skipped: ${(helm as { missing: string }).missing}` : false },
  () => {
    before(() => {
      if ('missing' in helm) assert.fail(helm.missing);
    });

    test('helm lint passes', () => {
      const result = spawnSync((helm as { path: string }).path, ['lint', CHART_DIR, '--strict'], { encoding: 'utf8' });
      assert.equal(result.status, 0, result.stdout + result.stderr);
    });

    test("(a) defaults: AEMM's names, port, resources, a locked-down pod, a helm test hook; the pod serves AEMM's defaults", async () => {
      const objects = render([]);
      const [workload] = listWorkloads(objects);
      assert.equal(workload?.kind, 'Deployment');
      assert.equal(workload.metadata.name, 'amazon-ec2-metadata-mock');
      const service = objects.find((object) => object.kind === 'Service')!;
      assert.equal(service.metadata.name, 'amazon-ec2-metadata-mock-service');
      assert.deepEqual((service.spec!.ports as { port: number; targetPort: number }[])[0], {
        name: 'imds',
        protocol: 'TCP',
        port: 1338,
        targetPort: 1338,
      });
      const container = getContainer(workload);
      assert.deepEqual(container.resources, { requests: { memory: '64Mi', cpu: '50m' }, limits: { memory: '128Mi', cpu: '100m' } });
      assert.equal(container.securityContext!.readOnlyRootFilesystem, true);
      assert.equal(container.securityContext!.runAsNonRoot, true);
      assert.equal(container.securityContext!.runAsUser, 1000);
      assert.equal(container.securityContext!.runAsGroup, 1000);
      assert.ok(
        objects.some((object) => object.kind === 'Pod' && object.metadata.annotations?.['helm.sh/hook'] === 'test'),
        'a helm test hook',
      );
      assert.deepEqual(toProcessEnv(container), { AEMM_SERVER_HOSTNAME: '', AEMM_MOCK_IP_COUNT: '2' });
      await withPod(objects, async (pod) => {
        assert.equal((await send(pod.url, `${META}/instance-id`)).text, 'i-1234567890abcdef0');
        assert.equal((await send(pod.url, SPOT)).status, 200);
        assert.equal((await send(pod.url, EVENTS)).status, 200);
      });
    });

    test("(b) NTH's --set arguments='{spot}': spot only", async () => {
      await withPod(render(['arguments={spot}']), async (pod) => {
        assert.equal((JSON.parse((await send(pod.url, SPOT)).text) as { action: string }).action, 'terminate');
        assert.equal((await send(pod.url, EVENTS)).status, 404);
      });
    });

    test("(b) NTH's --set aemm.mockDelaySec=60: spot answers 404 until 60 s have passed", async () => {
      await withPod(render(['arguments={spot}', 'aemm.mockDelaySec=60']), async (pod) => {
        assert.equal((await send(pod.url, SPOT)).status, 404);
        // 50 s on: still hidden, with room for a slow start-up (the delay runs from process start).
        await advance(pod, '50s');
        assert.equal((await send(pod.url, SPOT)).status, 404);
        await advance(pod, '11s');
        assert.equal((await send(pod.url, SPOT)).status, 200);
      });
    });

    test("(b) NTH's helm upgrade --set aemm.events.state=canceled: the event is canceled", async () => {
      await withPod(render(['arguments={events}', 'aemm.events.state=canceled']), async (pod) => {
        const [event] = JSON.parse((await send(pod.url, EVENTS)).text) as { State: string; Code: string }[];
        assert.equal(event?.State, 'canceled');
        assert.equal(event.Code, 'system-reboot');
      });
    });

    test("(b) NTH's --set aemm.imdsv2=true and aemm.spot.action=stop: IMDSv1 is refused, a token gets the stop notice", async () => {
      await withPod(render(['aemm.imdsv2=true', 'aemm.spot.action=stop', 'aemm.mockIPCount=5']), async (pod) => {
        assert.equal((await send(pod.url, SPOT)).status, 401);
        const token = (
          await send(pod.url, '/latest/api/token', { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } })
        ).text;
        const notice = await send(pod.url, SPOT, { headers: { 'x-aws-ec2-metadata-token': token } });
        assert.equal((JSON.parse(notice.text) as { action: string }).action, 'stop');
      });
    });

    test("(c) AEMM's chart CI values: configMap and configMapFileName mount a config file the pod reads", async () => {
      const objects = render(['configMap=test-aemm-configmap', 'configMapFileName=test-aemm-config.yaml']);
      const container = getContainer(listWorkloads(objects)[0]!);
      const env = toProcessEnv(container);
      assert.equal(env.AEMM_CONFIG_FILE, '/config/test-aemm-config.yaml');
      // The kubelet would mount the ConfigMap at /config; here the same file name sits in a temporary folder.
      const file = join(home, 'test-aemm-config.yaml');
      await writeFile(file, JSON.stringify({ metadata: { values: { 'instance-id': 'i-0fromconfigmap' } } }));
      await withPod(objects, async (pod) => assert.equal((await send(pod.url, `${META}/instance-id`)).text, 'i-0fromconfigmap'), {
        AEMM_CONFIG_FILE: file,
      });
    });

    test("(c) AEMM's chart CI values: a local image and a service on another port and name", () => {
      const objects = render([
        'image.repository=amazon-ec2-metadata-mock',
        'image.tag=test-latest',
        'image.pullPolicy=Never',
        'servicePort=1550',
        'serviceName=my-aemm',
      ]);
      const container = getContainer(listWorkloads(objects)[0]!) as { image?: string; imagePullPolicy?: string };
      assert.equal(container.image, 'amazon-ec2-metadata-mock:test-latest');
      assert.equal(container.imagePullPolicy, 'Never');
      const service = objects.find((object) => object.kind === 'Service')!;
      assert.equal(service.metadata.name, 'my-aemm');
      assert.equal((service.spec!.ports as { port: number }[])[0]!.port, 1550);
    });

    test("(d) a key outside the schema (NTH's aemm.IMDSv2=true) fails with a message naming it", () => {
      for (const [set, named] of [
        ['aemm.IMDSv2=true', /aemm: Additional property IMDSv2 is not allowed/],
        ['aemm.mockDelaySec=soon', /aemm\.mockDelaySec: Invalid type/],
        ['mode=fleet', /mode/],
        ['aemm.spot.action=explode', /aemm\.spot\.action/],
      ] as const) {
        const rendered = renderChart((helm as { path: string }).path, [set]);
        assert.ok('error' in rendered, `${set} was accepted`);
        assert.match(rendered.error, named);
      }
    });

    test("daemonset mode: one pod per node, each serving its own node's instance id, hostname and private IP", async () => {
      const objects = render(['mode=daemonset', 'control=true']);
      const [workload] = listWorkloads(objects);
      assert.equal(workload?.kind, 'DaemonSet');
      assert.ok(getContainer(workload).args?.includes('--control'), 'per-node control');
      const nodes = [
        { name: 'ip-10-0-1-17.ec2.internal', ip: '10.0.1.17' },
        { name: 'ip-10-0-2-23.ec2.internal', ip: '10.0.2.23' },
      ];
      const pods = await Promise.all(nodes.map((node) => startPod(objects, {}, node)));
      try {
        for (const [i, node] of nodes.entries()) {
          const url = pods[i]!.url;
          assert.equal((await send(url, `${META}/instance-id`)).text, toInstanceId(node.name));
          assert.equal((await send(url, `${META}/local-ipv4`)).text, node.ip);
          assert.equal((await send(url, `${META}/hostname`)).text, node.name);
          const document = JSON.parse((await send(url, '/latest/dynamic/instance-identity/document')).text) as {
            instanceId: string;
            privateIp: string;
          };
          assert.deepEqual([document.instanceId, document.privateIp], [toInstanceId(node.name), node.ip]);
        }
        assert.notEqual(toInstanceId(nodes[0]!.name), toInstanceId(nodes[1]!.name));
      } finally {
        await Promise.all(pods.map((pod) => pod.stop()));
      }
    });

    test('a cassette shipped in the image is served, with the node identity over it; a missing one stops the pod with one line', async () => {
      const objects = render(['cassette.file=recordings/default.json', 'mode=daemonset']);
      await withPod(objects, async (pod) => {
        assert.equal((await send(pod.url, `${META}/instance-id`)).text, toInstanceId('node-a'));
        assert.equal((await send(pod.url, `${META}/local-ipv4`)).text, '10.0.0.1');
        assert.equal((await send(pod.url, `${META}/instance-type`)).status, 200);
      });
      const container = getContainer(listWorkloads(render(['cassette.file=recordings/missing.json']))[0]!);
      const result = await runAemm([...(container.args ?? []), '-n', '127.0.0.1', '-p', '0'], {
        env: { HOME: home, ...toProcessEnv(container) },
        cwd: ROOT,
      });
      assert.equal(result.code, 2);
      const errors = result.stderr.split('\n').filter((line) => line.startsWith('Error: '));
      assert.deepEqual(errors, ['Error: Failed to load cassette "recordings/missing.json": the file does not exist. Check the path.']);
      assert.doesNotMatch(result.stderr, /\n {4}at /);
    });

    test('a cassette from a ConfigMap is mounted and passed to the drop-in', () => {
      const objects = render(['cassette.configMap=my-recording', 'cassette.configMapKey=m7g.json']);
      const container = getContainer(listWorkloads(objects)[0]!);
      assert.deepEqual(container.args, ['--cassette', '/cassette/m7g.json']);
    });

    test('an env var the drop-in does not know stops it with one line', async () => {
      const result = await runAemm(['-n', '127.0.0.1', '-p', '0'], { env: { HOME: home, AEMM_MOCK_DELAY: '60' } });
      assert.equal(result.code, 2);
      assert.match(result.stderr, /^Error: Unknown environment variable AEMM_MOCK_DELAY: /);
      assert.equal(result.stderr.trim().split('\n').length, 1);
    });
  },
);
