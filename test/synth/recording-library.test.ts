import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadCassette } from '../../src/cassette/load-cassette.js';
import type { Cassette } from '../../src/core/cassette.js';
import { createReplayEngine, type ReplayEngine } from '../../src/core/replay-engine.js';
import { kindOf } from '../../src/differ/normalise-value.js';
import { recordingLibrary } from '../../src/synth/recording-library.js';
import { synthesizeCassette } from '../../src/synth/synthesize-cassette.js';

const META = '/latest/meta-data/';
const recordingsDir = fileURLToPath(new URL('../../recordings/', import.meta.url));
const files = readdirSync(recordingsDir)
  .filter((name) => name.endsWith('.json'))
  .sort();
const cassettes = new Map<string, Cassette>(Object.entries(recordingLibrary).map(([name, spec]) => [name, synthesizeCassette(spec)]));
// AZ ids start with a short form of their region (use1-az4, euw1-az2, apse2-az2).
const AZ_ID_PREFIX: Readonly<Record<string, string>> = {
  'us-east-1': 'use1',
  'us-east-2': 'use2',
  'eu-west-1': 'euw1',
  'ap-southeast-2': 'apse2',
};

function get(engine: ReplayEngine, path: string): { status: number; text: string; location?: string } {
  const response = engine.resolve({ method: 'GET', path, headers: {} });
  return { status: response.status, text: new TextDecoder().decode(response.body), location: response.headers['location'] };
}

/** Walks every listing from `/latest/` the way cloud-init does; returns the paths served and any listed child that failed. */
function walk(engine: ReplayEngine): { served: Set<string>; failures: string[] } {
  const served = new Set<string>();
  const failures: string[] = [];
  const visit = (dir: string): void => {
    served.add(dir);
    for (const line of get(engine, dir).text.split('\n').filter(Boolean)) {
      const indexed = /^(\d+)=/.exec(line);
      let child = indexed && dir.endsWith('/public-keys/') ? `${dir}${indexed[1]}/` : dir + line;
      let response = get(engine, child);
      // Version roots list directories without the slash; real IMDS answers those with a 301.
      if (response.status === 301 && response.location?.endsWith(`${child}/`)) {
        child += '/';
        response = get(engine, child);
      }
      if (response.status !== 200) failures.push(`${dir} lists ${line}, which answers ${response.status}`);
      else if (child.endsWith('/')) visit(child);
      else served.add(child);
    }
  };
  visit('/latest/');
  return { served, failures };
}

function body(cassette: Cassette, key: string): string {
  const value = cassette.entries[key]?.body;
  assert.ok(value !== undefined, `missing ${key}`);
  return value;
}

function inCidr(ip: string, cidr: string): boolean {
  const toNumber = (address: string): number => address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const [base = '', bits = '0'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return Math.floor(toNumber(ip) / size) === Math.floor(toNumber(base) / size);
}

test('the library has the four instances users meet, besides the default', () => {
  assert.deepEqual(Object.keys(recordingLibrary).sort(), [
    'default.json',
    'm7g-large.json',
    'm7i-large.json',
    'p5-48xlarge.json',
    't3-spot-interrupted.json',
  ]);
});

test('every library recording on disk is exactly what the generator makes (run `npm run recordings`)', () => {
  for (const [name, cassette] of cassettes) {
    assert.ok(files.includes(name), `recordings/${name} is missing`);
    assert.equal(readFileSync(`${recordingsDir}${name}`, 'utf8'), JSON.stringify(cassette, null, 2) + '\n', name);
  }
});

test('every file in recordings/ validates and replays: each listed child answers 200 and no entry is unlisted', async () => {
  for (const name of files) {
    const cassette = await loadCassette(`${recordingsDir}${name}`);
    const engine = createReplayEngine({ cassette, secret: 'library-walk', clock: () => Date.parse('2026-03-03T05:18:00Z') });
    assert.equal(get(engine, '/').text.split('\n').at(-1), 'latest', name);
    const { served, failures } = walk(engine);
    assert.deepEqual(failures, [], name);
    const unlisted = Object.keys(cassette.entries).filter((key) => key.startsWith('/latest/') && !served.has(key));
    assert.deepEqual(unlisted, [], `${name}: entries no listing reaches`);
    // Replay drops listed names that do not answer; a recording should never need that.
    for (const dir of [...served].filter((key) => key.endsWith('/'))) {
      assert.equal(get(engine, dir).text, cassette.entries[dir]?.body, `${name}: ${dir} is served as recorded`);
    }
  }
});

test('library recordings are synthetic and their identity document agrees with meta-data', () => {
  for (const [name, cassette] of cassettes) {
    assert.equal(cassette.meta.synthetic, true, name);
    const doc = JSON.parse(body(cassette, '/latest/dynamic/instance-identity/document')) as Record<string, unknown>;
    const eth0 = `${META}network/interfaces/macs/${body(cassette, `${META}mac`)}/`;
    assert.equal(doc['instanceId'], body(cassette, `${META}instance-id`), name);
    assert.equal(doc['imageId'], body(cassette, `${META}ami-id`), name);
    assert.equal(doc['instanceType'], body(cassette, `${META}instance-type`), name);
    assert.equal(doc['privateIp'], body(cassette, `${META}local-ipv4`), name);
    assert.equal(doc['privateIp'], body(cassette, `${eth0}local-ipv4s`).split('\n')[0], name);
    assert.equal(doc['accountId'], body(cassette, `${eth0}owner-id`), name);
    assert.equal(doc['region'], cassette.meta.region, name);
    assert.equal(doc['availabilityZone'], body(cassette, `${META}placement/availability-zone`), name);
    assert.equal(body(cassette, `${META}placement/region`), cassette.meta.region, name);
  }
  const architecture = (name: string): unknown =>
    (JSON.parse(body(cassettes.get(name)!, '/latest/dynamic/instance-identity/document')) as Record<string, unknown>)['architecture'];
  assert.equal(architecture('m7g-large.json'), 'arm64');
  assert.equal(architecture('m7i-large.json'), 'x86_64');
  assert.equal(architecture('p5-48xlarge.json'), 'x86_64');
});

test('names, zones and ids are well-formed and fit their region', () => {
  for (const [name, cassette] of cassettes) {
    const region = cassette.meta.region ?? '';
    const zone = body(cassette, `${META}placement/availability-zone`);
    assert.ok(zone.startsWith(region) && /^[a-z]$/.test(zone.slice(region.length)), `${name}: zone ${zone}`);
    assert.match(body(cassette, `${META}placement/availability-zone-id`), new RegExp(`^${AZ_ID_PREFIX[region]}-az\\d$`), name);
    const domain = region === 'us-east-1' ? '.ec2.internal' : `.${region}.compute.internal`;
    assert.ok(body(cassette, `${META}local-hostname`).endsWith(domain), name);
    assert.match(body(cassette, `${META}ami-id`), /^ami-[0-9a-f]{8,17}$/, name);
    for (const [leaf, kind] of [
      ['instance-id', 'instance-id'],
      ['reservation-id', 'reservation-id'],
    ] as const) {
      assert.equal(kindOf(body(cassette, `${META}${leaf}`)), kind, `${name} ${leaf}`);
    }
    for (const key of Object.keys(cassette.entries).filter((item) => item.includes('/network/interfaces/macs/') && !item.endsWith('/'))) {
      const leaf = key.slice(key.lastIndexOf('/') + 1);
      const expected: Record<string, string> = {
        'interface-id': 'eni-id',
        'subnet-id': 'subnet-id',
        'vpc-id': 'vpc-id',
        'owner-id': 'account-id',
        mac: 'mac',
      };
      if (expected[leaf]) assert.equal(kindOf(body(cassette, key)), expected[leaf], `${name} ${key}`);
      if (leaf === 'security-group-ids')
        for (const id of body(cassette, key).split('\n')) assert.equal(kindOf(id), 'security-group-id', key);
      if (leaf === 'local-ipv4s') {
        const cidr = body(cassette, key.replace(/local-ipv4s$/, 'subnet-ipv4-cidr-block'));
        for (const ip of body(cassette, key).split('\n')) assert.ok(inCidr(ip, cidr), `${name}: ${ip} is outside ${cidr}`);
      }
    }
  }
});

test('the multi-card instance has one interface per network card, extra cards at device 1', () => {
  const p5 = cassettes.get('p5-48xlarge.json')!;
  const macs = body(p5, `${META}network/interfaces/macs/`).split('\n');
  assert.equal(macs.length, 32);
  const layout = macs.map((mac) => [
    Number(body(p5, `${META}network/interfaces/macs/${mac}network-card`)),
    Number(body(p5, `${META}network/interfaces/macs/${mac}device-number`)),
  ]);
  assert.deepEqual(
    layout.map(([card]) => card).sort((a, b) => a! - b!),
    Array.from({ length: 32 }, (_, card) => card),
  );
  for (const [card, device] of layout) assert.equal(device, card === 0 ? 0 : 1);
  assert.equal(new Set(macs).size, 32);
  assert.equal(body(p5, `${META}placement/group-name`), 'llm-train-cpg');
});

test('the interrupted Spot instance shows the rebalance, then the two-minute notice', () => {
  const t3 = cassettes.get('t3-spot-interrupted.json')!;
  assert.equal(body(t3, `${META}instance-life-cycle`), 'spot');
  const action = JSON.parse(body(t3, `${META}spot/instance-action`)) as { action: string; time: string };
  assert.equal(action.action, 'terminate');
  assert.equal(body(t3, `${META}spot/termination-time`), action.time);
  const { noticeTime } = JSON.parse(body(t3, `${META}events/recommendations/rebalance`)) as { noticeTime: string };
  const recordedAt = Date.parse(t3.meta.recordedAt);
  assert.ok(Date.parse(noticeTime) < recordedAt, 'the rebalance came before the recording');
  const lead = Date.parse(action.time) - recordedAt;
  assert.ok(lead > 0 && lead <= 120_000, `the interruption is at most two minutes ahead (${lead} ms)`);
});
