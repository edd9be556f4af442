import type { Cassette } from '../core/cassette.js';

const META = '/latest/meta-data/';
const MACS = `${META}network/interfaces/macs/`;

function textOf(cassette: Cassette, path: string): string | undefined {
  const entry = cassette.entries[path];
  return entry && entry.status === 200 && typeof entry.body === 'string' ? entry.body : undefined;
}

function has(cassette: Cassette, path: string): boolean {
  return cassette.entries[path]?.status === 200;
}

function lines(text: string | undefined): string[] {
  return text === undefined ? [] : text.split('\n').filter((line) => line !== '');
}

function readArchitecture(cassette: Cassette): string | undefined {
  try {
    const document = JSON.parse(textOf(cassette, '/latest/dynamic/instance-identity/document') ?? 'null') as {
      architecture?: unknown;
    } | null;
    return typeof document?.architecture === 'string' ? document.architecture : undefined;
  } catch {
    return undefined;
  }
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * What is worth knowing about a cassette at a glance, read from its entries (so a real recording
 * describes itself too): architecture, lifecycle, network layout, identity, and any notice it
 * carries, after `meta.description` when the file has one. Pure; reads a few known paths.
 */
export function listFeatures(cassette: Cassette): string[] {
  const features: string[] = [];
  if (typeof cassette.meta.description === 'string' && cassette.meta.description !== '') features.push(cassette.meta.description);
  const architecture = readArchitecture(cassette);
  if (architecture) features.push(architecture);
  const lifeCycle = textOf(cassette, `${META}instance-life-cycle`);
  if (lifeCycle) features.push(lifeCycle);
  if (has(cassette, `${META}iam/info`)) features.push('instance profile');
  if (has(cassette, `${META}public-keys/`)) features.push('key pair');
  const tags = lines(textOf(cassette, `${META}tags/instance/`)).length;
  if (tags > 0) features.push(plural(tags, 'tag'));
  const macs = lines(textOf(cassette, MACS)).map((line) => line.replace(/\/$/, ''));
  if (macs.length > 0) features.push(plural(macs.length, 'ENI'));
  const cards = new Set(macs.map((mac) => textOf(cassette, `${MACS}${mac}/network-card`)).filter((card) => card !== undefined));
  if (cards.size > 1) features.push(plural(cards.size, 'network card'));
  if (macs.some((mac) => has(cassette, `${MACS}${mac}/ipv6s`))) features.push('IPv6');
  if (has(cassette, `${META}placement/partition-number`)) features.push('partition placement group');
  else if (has(cassette, `${META}placement/group-name`)) features.push('placement group');
  if (has(cassette, '/latest/user-data')) features.push('user-data');
  const scheduled = textOf(cassette, `${META}events/maintenance/scheduled`);
  if (scheduled !== undefined && scheduled.trim() !== '[]') features.push('scheduled event');
  if (has(cassette, `${META}events/recommendations/rebalance`)) features.push('rebalance recommendation');
  const action = /"action"\s*:\s*"(\w+)"/.exec(textOf(cassette, `${META}spot/instance-action`) ?? '');
  if (action) features.push(`spot notice (${action[1]})`);
  if (cassette.meta.incomplete !== undefined && cassette.meta.incomplete !== false) features.push('incomplete');
  return features;
}
