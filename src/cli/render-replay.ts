import type { Cassette } from '../core/cassette.js';
import type { SessionStatus } from '../core/scenarios/create-replay-session.js';
import { describeIncomplete } from '../differ/describe-incomplete.js';
import type { RequestLog } from '../server/start-server.js';
import { colors } from './colors.js';

/** A command to try: a plain curl, or with tokens required the IMDSv2 token flow it needs. */
function renderTry(url: string, tokensRequired: boolean): string[] {
  if (!tokensRequired) return [`curl ${url}/latest/meta-data/instance-id`];
  return [
    `TOKEN=$(curl -s -X PUT ${url}/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600')`,
    `curl -H "X-aws-ec2-metadata-token: $TOKEN" ${url}/latest/meta-data/instance-id`,
  ];
}

/** The start-up banner of `aemm replay`: where it listens, what it serves, and a command to try. */
export function renderReplayBanner(info: {
  url: string;
  cassetteName: string;
  cassette: Cassette;
  status: SessionStatus;
  controlApi: boolean;
  eventsTo?: string;
  journal?: string;
}): string {
  const { meta } = info.cassette;
  const about = [meta.instanceType, meta.region, meta.synthetic ? 'synthetic' : `recorded ${meta.recordedAt}`].filter(Boolean).join(', ');
  const entries = Object.keys(info.cassette.entries).length;
  const incomplete = describeIncomplete(meta);
  const row = (label: string, value: string): string => `  ${colors.dim(label.padEnd(9))}${value}`;
  const mocks = info.status.mocks.map((mock) => `${mock.kind} ${mock.detail}${mock.at && !mock.active ? ` at ${mock.at}` : ''}`);
  const { scenario } = info.status;
  const steps = (scenario?.steps ?? []).map(
    (step) =>
      `${step.name}${step.firedAt ? ` fired ${step.firedAt}` : step.dueAt ? ` at ${step.dueAt}` : step.waitingFor ? ` on ${step.waitingFor}` : ' after the previous step'}`,
  );
  return [
    `${colors.bold.cyan('aemm replay')} serving ${colors.bold(info.cassetteName)} ${colors.dim(`(${about}; ${entries} entries)`)}`,
    row('url', colors.underline(info.url)),
    row('clock', `${info.status.now} replay time${info.status.speed === 1 ? '' : colors.yellow(`, ${info.status.speed}× the wall clock`)}`),
    ...(scenario ? [row('scenario', colors.bold(scenario.name)), ...steps.map((step) => row('', colors.yellow(step)))] : []),
    ...(info.journal ? [row('journal', info.journal)] : []),
    ...(incomplete === undefined ? [] : [row('warning', colors.yellow(`incomplete recording: ${incomplete}`))]),
    row('tokens', info.status.imdsv2 === 'required' ? 'required (IMDSv2 only)' : 'optional (IMDSv1 and IMDSv2)'),
    row('layers', info.status.layers.length > 0 ? info.status.layers.join(', ') : 'none'),
    ...mocks.map((mock) => row('', colors.yellow(mock))),
    ...(info.status.mockIpCount === undefined ? [] : [row('', `notices for the first ${info.status.mockIpCount} client addresses only`)]),
    ...(info.eventsTo ? [row('events', `EventBridge events to ${info.eventsTo}`)] : []),
    row('control', info.controlApi ? `${info.url}/__aemm/status  (aemm control --url ${info.url} …)` : 'off'),
    ...renderTry(info.url, info.status.imdsv2 === 'required').map((line, index) => row(index === 0 ? 'try' : '', line)),
    colors.dim('  Ctrl-C to stop'),
  ].join('\n');
}

function colourStatus(log: RequestLog): string {
  if (log.abort) return colors.red(log.abort);
  const text = String(log.status);
  if (log.status < 300) return colors.green(text);
  if (log.status < 400) return colors.cyan(text);
  if (log.status < 500) return colors.yellow(text);
  return colors.red(text);
}

/** One line of the request log: time, method, path, status, v1/v2, milliseconds. */
export function renderRequestLine(log: RequestLog, at: Date): string {
  const time = at.toISOString().slice(11, 23);
  const version = log.version === 'v2' ? colors.magenta('v2') : log.version === 'control' ? colors.blue('control') : colors.dim('v1');
  return `${colors.dim(time)} ${log.method.padEnd(4)} ${log.path} ${colourStatus(log)} ${version} ${colors.dim(`${log.ms.toFixed(1)}ms`)}`;
}
