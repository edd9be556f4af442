import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cassette, Entry } from '../../src/core/cassette.js';
import { diffCassettes, type Change, type ChangeDetail } from '../../src/differ/diff-cassettes.js';
import { defaultInstanceSpec } from '../../src/synth/default-instance.js';
import { recordingLibrary } from '../../src/synth/recording-library.js';
import { synthesizeCassette } from '../../src/synth/synthesize-cassette.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

const META = '/latest/meta-data/';
const text = (body: string): Entry => ({ status: 200, headers: { 'content-type': 'text/plain' }, body });

/** A copy of `cassette` with entries replaced (an Entry), added, or removed (null). */
function edit(cassette: Cassette, changes: Record<string, Entry | null>): Cassette {
  const entries = { ...cassette.entries };
  for (const [key, entry] of Object.entries(changes)) {
    if (entry === null) delete entries[key];
    else entries[key] = entry;
  }
  return { ...cassette, meta: { ...cassette.meta }, entries };
}

function changeAt(changes: readonly Change[], path: string): Change {
  const change = changes.find((item) => item.path === path);
  assert.ok(change, `no change at ${path}; changes at ${changes.map((item) => item.path).join(', ')}`);
  return change;
}

const library = Object.fromEntries(Object.entries(recordingLibrary).map(([name, spec]) => [name, synthesizeCassette(spec)]));
const m7i = library['m7i-large.json']!;
const m7g = library['m7g-large.json']!;
const p5 = library['p5-48xlarge.json']!;
const tiny = createTinyCassette();

test('a cassette diffed with itself has no changes, normalised or raw', () => {
  for (const [name, cassette] of Object.entries({ ...library, tiny })) {
    for (const raw of [false, true]) {
      const diff = diffCassettes(cassette, structuredClone(cassette), { raw });
      assert.deepEqual(diff.changes, [], `${name} raw=${raw}`);
      assert.equal(diff.equal, true);
      assert.deepEqual(diff.totals, { added: 0, removed: 0, changed: 0, categories: 0 });
      assert.deepEqual(diff.categories, []);
    }
  }
});

test('entries only in B are added and only in A removed, with their values', () => {
  const b = edit(tiny, { '/latest/meta-data/instance-type': text('m5.large'), '/latest/meta-data/ami-id': null });
  const diff = diffCassettes(tiny, b);
  const added = changeAt(diff.changes, '/latest/meta-data/instance-type');
  assert.equal(added.kind, 'added');
  assert.equal(added.category, 'instance-type');
  assert.equal(added.pathB, '/latest/meta-data/instance-type');
  assert.equal(added.pathA, undefined);
  assert.deepEqual(added.details, [{ type: 'value', before: null, after: 'm5.large' }]);
  const removed = changeAt(diff.changes, '/latest/meta-data/ami-id');
  assert.equal(removed.kind, 'removed');
  assert.equal(removed.pathB, undefined);
  assert.deepEqual(removed.details, [{ type: 'value', before: 'ami-0123', after: null }]);
  assert.equal(diff.equal, false);
  assert.deepEqual(diff.totals, { added: 1, removed: 1, changed: 0, categories: 2 });
});

test('a changed leaf reports before and after', () => {
  const diff = diffCassettes(tiny, edit(tiny, { '/latest/meta-data/public-keys/0/openssh-key': text('ssh-ed25519 AAAA other') }));
  assert.deepEqual(changeAt(diff.changes, '/latest/meta-data/public-keys/0/openssh-key').details, [
    { type: 'value', before: 'ssh-rsa AAAA my-key', after: 'ssh-ed25519 AAAA other' },
  ]);
});

test('a listing is diffed line by line', () => {
  const b = edit(tiny, { '/latest/meta-data/': text('ami-id\ninstance-id\nprofile\npublic-keys/\ntags/') });
  const change = changeAt(diffCassettes(tiny, b).changes, '/latest/meta-data/');
  assert.equal(change.category, 'meta-data');
  assert.deepEqual(change.details, [
    { type: 'line', op: 'removed', line: 'iam/' },
    { type: 'line', op: 'added', line: 'profile' },
  ]);
});

test('JSON documents are diffed key by key, nested keys and array items included', () => {
  const events = '/latest/meta-data/events/maintenance/scheduled';
  const a = edit(tiny, { [events]: text('[]') });
  const b = edit(tiny, {
    [events]: text('[ {\n  "Code" : "system-reboot",\n  "State" : "active"\n} ]'),
    '/latest/dynamic/instance-identity/document': text('{\n  "instanceId" : "i-0abc",\n  "architecture" : "arm64"\n}'),
    '/latest/meta-data/iam/info': text('{\n  "Code" : "Failure",\n  "Nested" : { "Deep" : [ 1, 2 ] }\n}'),
  });
  const diff = diffCassettes(a, b);
  assert.deepEqual(changeAt(diff.changes, events).details, [
    { type: 'key', op: 'added', key: '[0].Code', after: 'system-reboot' },
    { type: 'key', op: 'added', key: '[0].State', after: 'active' },
  ]);
  assert.deepEqual(changeAt(diff.changes, '/latest/dynamic/instance-identity/document').details, [
    { type: 'key', op: 'added', key: 'architecture', after: 'arm64' },
  ]);
  assert.deepEqual(changeAt(diff.changes, '/latest/meta-data/iam/info').details, [
    { type: 'key', op: 'changed', key: 'Code', before: 'Success', after: 'Failure' },
    { type: 'key', op: 'added', key: 'Nested.Deep', after: [1, 2] },
  ]);
});

test('entries that differ only in status or content type are changes', () => {
  const b = edit(tiny, {
    '/latest/meta-data/ami-id': { ...tiny.entries['/latest/meta-data/ami-id']!, status: 404 },
    '/latest/meta-data/iam/info': { ...tiny.entries['/latest/meta-data/iam/info']!, headers: { 'content-type': 'application/json' } },
  });
  const diff = diffCassettes(tiny, b);
  assert.deepEqual(changeAt(diff.changes, '/latest/meta-data/ami-id').details, [{ type: 'status', before: 200, after: 404 }]);
  assert.deepEqual(changeAt(diff.changes, '/latest/meta-data/iam/info').details, [
    { type: 'header', name: 'content-type', before: 'text/plain', after: 'application/json' },
  ]);
});

test('volatile headers count only in raw mode', () => {
  const b = edit(tiny, {
    '/latest/meta-data/ami-id': {
      ...tiny.entries['/latest/meta-data/ami-id']!,
      headers: { 'content-type': 'text/plain', date: 'Mon, 01 Jan 2026 00:00:00 GMT' },
    },
  });
  assert.equal(diffCassettes(tiny, b).equal, true);
  assert.deepEqual(changeAt(diffCassettes(tiny, b, { raw: true }).changes, '/latest/meta-data/ami-id').details, [
    { type: 'header', name: 'date', before: null, after: 'Mon, 01 Jan 2026 00:00:00 GMT' },
  ]);
});

test('same content with a different layout is a layout change', () => {
  const b = edit(tiny, {
    '/latest/meta-data/': text('ami-id\niam/\ninstance-id\npublic-keys/\ntags/\n'),
    '/latest/meta-data/tags/instance/': text('team+ops\nName'),
    '/latest/meta-data/iam/info': text('{\n\t"Code": "Success"\n}'),
  });
  const diff = diffCassettes(tiny, b);
  assert.deepEqual(changeAt(diff.changes, '/latest/meta-data/').details, [{ type: 'layout', note: 'final newline' }]);
  assert.deepEqual(changeAt(diff.changes, '/latest/meta-data/tags/instance/').details, [{ type: 'layout', note: 'line order' }]);
  assert.deepEqual(changeAt(diff.changes, '/latest/meta-data/iam/info').details, [{ type: 'layout', note: 'key order or spacing' }]);
});

test('bodies that are not UTF-8 are compared as bytes', () => {
  const b = edit(tiny, {
    '/latest/user-data': { status: 200, headers: { 'content-type': 'application/octet-stream' }, bodyBase64: '/wABAw==' },
  });
  const [detail] = changeAt(diffCassettes(tiny, b).changes, '/latest/user-data').details;
  assert.equal(detail?.type, 'bytes');
  assert.equal(detail.type === 'bytes' && detail.before?.size, 4);
  assert.match(detail.type === 'bytes' ? (detail.after?.sha256 ?? '') : '', /^[0-9a-f]{64}$/);
  // The same bytes stored as text and as base64 are equal.
  const asText = edit(tiny, {
    '/latest/meta-data/ami-id': {
      status: 200,
      headers: { 'content-type': 'text/plain' },
      bodyBase64: Buffer.from('ami-0123').toString('base64'),
    },
  });
  assert.equal(diffCassettes(tiny, asText, { raw: true }).equal, true);
});

test('ids, addresses, hostnames, timestamps and secrets compare by kind unless raw', () => {
  const other = synthesizeCassette({
    ...defaultInstanceSpec,
    instanceId: 'i-0fedcba9876543210',
    reservationId: 'r-0aaaabbbbccccdddd',
    launchTime: '2026-01-16T00:00:00Z',
    credentialsUpdatedAt: '2026-01-16T00:01:00Z',
    networkInterfaces: [
      { ...defaultInstanceSpec.networkInterfaces[0], privateIpv4s: ['172.16.40.9'], publicIpv4: '198.51.100.7' },
      ...defaultInstanceSpec.networkInterfaces.slice(1),
    ],
  });
  const base = synthesizeCassette(defaultInstanceSpec);
  assert.deepEqual(diffCassettes(base, other).changes, []);
  const raw = diffCassettes(base, other, { raw: true });
  for (const path of [
    `${META}instance-id`,
    `${META}reservation-id`,
    `${META}local-ipv4`,
    `${META}hostname`,
    `${META}public-ipv4`,
    `${META}iam/security-credentials/baskinc-role`,
    '/latest/dynamic/instance-identity/document',
    '/latest/dynamic/instance-identity/pkcs7',
  ]) {
    assert.equal(changeAt(raw.changes, path).kind, 'changed', path);
  }
  const creds = changeAt(raw.changes, `${META}iam/security-credentials/baskinc-role`).details.map(
    (detail) => detail.type === 'key' && detail.key,
  );
  assert.deepEqual(creds, ['LastUpdated', 'AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration']);
});

test('a value of one kind against another kind is a change', () => {
  const b = edit(tiny, { '/latest/meta-data/instance-id': text('10.0.0.1') });
  const a = edit(tiny, { '/latest/meta-data/instance-id': text('i-0123456789abcdef0') });
  assert.deepEqual(changeAt(diffCassettes(a, b).changes, '/latest/meta-data/instance-id').details, [
    { type: 'value', before: 'i-0123456789abcdef0', after: '10.0.0.1' },
  ]);
});

test('redacted paths compare by kind when they are not JSON', () => {
  const key = '/latest/meta-data/tags/instance/Name';
  const a = edit(tiny, { [key]: text('secret-a') });
  const b = edit(tiny, { [key]: text('secret-b') });
  b.meta.redacted = [key];
  assert.equal(diffCassettes(a, b).equal, true);
  assert.equal(diffCassettes(a, b, { raw: true }).equal, false);
});

test('interfaces line up by device number, so a different MAC is not a change', () => {
  const diff = diffCassettes(m7i, m7g);
  assert.deepEqual(
    diff.changes.filter((change) => change.category === 'network' || change.category === 'mac'),
    [],
  );
  assert.ok(diff.changes.every((change) => !change.path.includes('/macs/0') && !change.path.includes('/macs/06:')));
  const raw = diffCassettes(m7i, m7g, { raw: true });
  const network = raw.changes.filter((change) => change.category === 'network');
  assert.ok(network.some((change) => change.kind === 'added' && change.path.includes('/macs/06:7d:2e:b5:90:c8/')));
  assert.ok(network.some((change) => change.kind === 'removed' && change.path.includes('/macs/06:3a:9f:41:d2:7b/')));
  assert.deepEqual(changeAt(raw.changes, `${META}network/interfaces/macs/`).details.filter((d) => d.type === 'line').length, 4);
});

test('an aligned interface keeps its real keys, and a real difference under it is reported there', () => {
  const eth1 = `${META}network/interfaces/macs/06:91:ab:3c:e4:0f/`;
  const b = edit(m7g, { [`${eth1}subnet-id`]: text('sg-0123456789abcdef0') });
  const change = changeAt(diffCassettes(m7i, b).changes, `${META}network/interfaces/macs/device-1/subnet-id`);
  assert.equal(change.pathA, `${META}network/interfaces/macs/06:c4:18:7e:a9:53/subnet-id`);
  assert.equal(change.pathB, `${eth1}subnet-id`);
  assert.equal(change.category, 'network');
});

test('multi-card interfaces are keyed by card and device, and public IPs by position', () => {
  const paths = diffCassettes(m7i, p5).changes.map((change) => change.path);
  assert.ok(paths.includes(`${META}network/interfaces/macs/card-31.device-1/`));
  assert.ok(paths.includes(`${META}network/interfaces/macs/device-0/network-card`));
  assert.ok(paths.includes(`${META}network/interfaces/macs/device-0/ipv4-associations/public-ipv4-1`));
  assert.ok(!paths.some((path) => /\/macs\/[0-9a-f]{2}:/.test(path)));
  const macs = changeAt(diffCassettes(m7i, p5).changes, `${META}network/interfaces/macs/`).details;
  assert.deepEqual(macs.slice(0, 3), [
    { type: 'line', op: 'removed', line: 'device-1/' },
    { type: 'line', op: 'added', line: 'card-1.device-1/' },
    { type: 'line', op: 'added', line: 'card-2.device-1/' },
  ]);
});

test('m7i against m7g shows the architecture, instance type and AMI', () => {
  const diff = diffCassettes(m7i, m7g);
  const keys = changeAt(diff.changes, '/latest/dynamic/instance-identity/document').details.map(
    (detail) => detail.type === 'key' && detail.key,
  );
  assert.deepEqual(keys, ['architecture', 'imageId', 'instanceType']);
  assert.deepEqual(changeAt(diff.changes, `${META}instance-type`).details, [{ type: 'value', before: 'm7i.large', after: 'm7g.large' }]);
  assert.equal(changeAt(diff.changes, `${META}ami-id`).kind, 'changed');
  assert.deepEqual(
    diff.categories.map((count) => count.category),
    ['dynamic', 'ami-id', 'instance-type', 'placement'],
  );
});

test('ignore globs drop entries and the listing lines that name them', () => {
  const diff = diffCassettes(m7i, p5, { ignore: ['meta-data/network', 'events/**'] });
  assert.ok(diff.changes.every((change) => change.category !== 'network' && change.category !== 'events'));
  assert.deepEqual(diff.ignore, ['meta-data/network', 'events/**']);
  const b = edit(tiny, {
    '/latest/meta-data/tags/': null,
    '/latest/meta-data/tags/instance/': null,
    '/latest/meta-data/tags/instance/Name': null,
    '/latest/meta-data/tags/instance/team+ops': null,
    '/latest/meta-data/': text('ami-id\niam/\ninstance-id\npublic-keys/'),
  });
  assert.equal(diffCassettes(tiny, b).totals.removed, 4);
  assert.deepEqual(diffCassettes(tiny, b, { ignore: ['tags'] }).changes, []);
});

test('categories follow the path: versions, dynamic, meta-data categories, user-data, dated versions alike', () => {
  const b = edit(tiny, {
    '/': text('latest'),
    '/latest/': text('meta-data\nuser-data'),
    '/latest/dynamic/': text('instance-identity/\nfws/'),
    '/latest/user-data': text('#!/bin/sh'),
    '/2009-04-04/meta-data/ami-id': text('ami-older'),
  });
  const byPath = Object.fromEntries(diffCassettes(tiny, b).changes.map((change) => [change.path, change.category]));
  assert.deepEqual(byPath, {
    '/': 'versions',
    '/2009-04-04/meta-data/ami-id': 'ami-id',
    '/latest/': 'versions',
    '/latest/dynamic/': 'dynamic',
    '/latest/user-data': 'user-data',
  });
});

test('changes are sorted by path and counted per category', () => {
  const diff = diffCassettes(m7i, p5);
  const paths = diff.changes.map((change) => change.path);
  assert.deepEqual(paths, [...paths].sort());
  for (const count of diff.categories) {
    const inCategory = diff.changes.filter((change) => change.category === count.category);
    for (const kind of ['added', 'removed', 'changed'] as const) {
      assert.equal(count[kind], inCategory.filter((change) => change.kind === kind).length, `${count.category} ${kind}`);
    }
  }
  const sum = (kind: Change['kind']): number => diff.categories.reduce((total, count) => total + count[kind], 0);
  assert.deepEqual(diff.totals, {
    added: sum('added'),
    removed: sum('removed'),
    changed: sum('changed'),
    categories: diff.categories.length,
  });
  assert.deepEqual(diffCassettes(m7i, p5), diff, 'the same input gives the same output');
});

test('the diff is JSON with a format tag and nothing that does not serialise', () => {
  const diff = diffCassettes(m7i, library['t3-spot-interrupted.json']!);
  assert.equal(diff.format, 'aemm-diff/1');
  assert.deepEqual(JSON.parse(JSON.stringify(diff)), diff);
  const spot = diff.changes.filter((change) => change.category === 'spot').map((change) => [change.kind, change.path]);
  assert.deepEqual(spot, [
    ['added', `${META}spot/`],
    ['added', `${META}spot/instance-action`],
    ['added', `${META}spot/termination-time`],
  ]);
  const detail: ChangeDetail | undefined = changeAt(diff.changes, `${META}spot/instance-action`).details[0];
  assert.deepEqual(detail, { type: 'value', before: null, after: '{"action": "terminate", "time": "2026-03-03T05:19:40Z"}' });
});
