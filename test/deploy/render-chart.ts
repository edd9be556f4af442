import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

/** The chart's folder. */
export const CHART_DIR = fileURLToPath(new URL('../../deploy/helm/amazon-ec2-metadata-mock', import.meta.url));

/** One Kubernetes object of a rendered chart, loosely typed. */
export interface K8sObject {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

/** A container of a rendered workload: what the kubelet would start. */
export interface K8sContainer {
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }[];
  securityContext?: Record<string, unknown>;
  resources?: Record<string, Record<string, string>>;
}

/** `helm template` of the chart with `--set` lines; the rendered objects, or helm's error text. */
export function renderChart(
  helm: string,
  sets: readonly string[],
  extra: readonly string[] = [],
): { objects: K8sObject[] } | { error: string } {
  const result = spawnSync(helm, ['template', 'amazon-ec2-metadata-mock', CHART_DIR, ...sets.flatMap((set) => ['--set', set]), ...extra], {
    encoding: 'utf8',
  });
  if (result.status !== 0) return { error: result.stderr.trim() };
  const objects = parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
  return { objects };
}

/** The workload objects (Deployment or DaemonSet). */
export function listWorkloads(objects: readonly K8sObject[]): K8sObject[] {
  return objects.filter((object) => object.kind === 'Deployment' || object.kind === 'DaemonSet');
}

/** The first container of a workload. */
export function getContainer(workload: K8sObject): K8sContainer {
  const template = workload.spec!.template as { spec: { containers: K8sContainer[] } };
  return template.spec.containers[0]!;
}

/** The container's env as a process would see it, with downward-API fields filled from `node`. */
export function toProcessEnv(
  container: K8sContainer,
  node: { name: string; ip: string } = { name: 'node-a', ip: '10.0.0.1' },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const field = variable.valueFrom?.fieldRef.fieldPath;
    env[variable.name] = field === 'spec.nodeName' ? node.name : field === 'status.hostIP' ? node.ip : (variable.value ?? '');
  }
  return env;
}
