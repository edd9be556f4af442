import type { RequestLog } from '../server/start-server.js';
import type { Cassette } from '../core/cassette.js';
import { colors } from './colors.js';

/** The start-up banner of `aemm replay`: where it listens, what it serves, and a command to try. */
export function renderReplayBanner(info: { url: string; cassetteName: string; cassette: Cassette; tokens: string; layers: string[] }): string {
  const { meta } = info.cassette;
  const about = [meta.instanceType, meta.region, meta.synthetic ? 'synthetic' : `recorded ${meta.recordedAt}`].filter(Boolean).join(', ');
  const entries = Object.keys(info.cassette.entries).length;
  const row = (label: string, value: string): string => `  ${colors.dim(label.padEnd(9))}${value}`;
  return [
    `${colors.bold.cyan('aemm replay')} serving ${colors.bold(info.cassetteName)} ${colors.dim(`(${about}; ${entries} entries)`)}`,
    row('url', colors.underline(info.url)),
    row('tokens', info.tokens),
    row('layers', info.layers.length > 0 ? info.layers.join(', ') : 'none'),
    row('try', `curl ${info.url}/latest/meta-data/instance-id`),
    colors.dim('  Ctrl-C to stop'),
  ].join('\n');
}

function colourStatus(status: number): string {
  const text = String(status);
  if (status < 300) return colors.green(text);
  if (status < 400) return colors.cyan(text);
  if (status < 500) return colors.yellow(text);
  return colors.red(text);
}

/** One line of the request log: time, method, path, status, v1/v2, milliseconds. */
export function renderRequestLine(log: RequestLog, at: Date): string {
  const time = at.toISOString().slice(11, 23);
  const version = log.version === 'v2' ? colors.magenta('v2') : colors.dim('v1');
  return `${colors.dim(time)} ${log.method.padEnd(4)} ${log.path} ${colourStatus(log.status)} ${version} ${colors.dim(`${log.ms.toFixed(1)}ms`)}`;
}
