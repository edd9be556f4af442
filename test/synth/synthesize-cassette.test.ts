import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Cassette, Entry } from '../../src/core/cassette.js';
import { IMDS_VERSIONS } from '../../src/core/versions.js';
import { defaultInstanceSpec } from '../../src/synth/default-instance.js';
import { synthesizeCassette } from '../../src/synth/synthesize-cassette.js';
import type { InstanceSpec } from '../../src/synth/synthesize-cassette.js';

const META = '/latest/meta-data/';
const ETH0 = `${META}network/interfaces/macs/0e:49:61:0f:c3:11/`;
const ETH1 = `${META}network/interfaces/macs/0e:d4:b2:7a:15:9f/`;

// The smallest instance the spec allows: one ENI, no role, key, tags, user data or public address.
const minimalSpec: InstanceSpec = {
  recordedAt: '2026-02-01T00:00:00Z',
  instanceId: 'i-0aaaaaaaaaaaaaaaa',
  instanceType: 't4g.nano',
  architecture: 'arm64',
  amiId: 'ami-0bbbbbbbbbbbbbbbb',
  reservationId: 'r-0cccccccccccccccc',
  accountId: '111122223333',
  region: 'eu-west-1',
  availabilityZone: 'eu-west-1b',
  availabilityZoneId: 'euw1-az1',
  launchTime: '2026-02-01T00:00:00Z',
  lifecycle: 'spot',
  networkInterfaces: [
    {
      mac: '02:00:00:00:00:01',
      deviceNumber: 0,
      interfaceId: 'eni-0dddddddddddddddd',
      privateIpv4s: ['10.0.1.5'],
      subnetId: 'subnet-0eeeeeeeeeeeeeeee',
      subnetIpv4CidrBlock: '10.0.1.0/24',
      vpcId: 'vpc-0ffffffffffffffff',
      vpcIpv4CidrBlocks: ['10.0.0.0/16'],
      securityGroups: [{ id: 'sg-01111111111111111', name: 'default' }],
    },
  ],
  blockDeviceMapping: { ami: '/dev/xvda', root: '/dev/xvda' },
};

const [defaultEth0, defaultEth1] = defaultInstanceSpec.networkInterfaces;
assert.ok(defaultEth1, 'the default instance has two network interfaces');
const multiCardSpec: InstanceSpec = {
  ...defaultInstanceSpec,
  instanceType: 'p4d.24xlarge',
  networkCardCount: 4,
  networkInterfaces: [defaultEth0, { ...defaultEth1, networkCard: 1 }],
};

function bodyOf(cassette: Cassette, key: string): string {
  const entry = cassette.entries[key];
  assert.ok(entry, `missing entry ${key}`);
  assert.equal(typeof entry.body, 'string', `${key} has a text body`);
  return entry.body ?? '';
}

function linesOf(listing: string): string[] {
  return listing === '' ? [] : listing.split('\n');
}

function isListing(key: string): boolean {
  return key.endsWith('/');
}

/** The entry keys a listing names, following the rules clients such as cloud-init use. */
function childKeysOf(cassette: Cassette, dirKey: string): string[] {
  const lines = linesOf(bodyOf(cassette, dirKey));
  // Dated versions fall back to `latest` at replay time, so only `latest` needs its own entries.
  if (dirKey === '/') return lines.filter((line) => line === 'latest').map(() => '/latest/');
  return lines.map((line) => {
    if (dirKey === '/latest/') {
      // `latest/` names directories without their slash.
      return cassette.entries[`${dirKey}${line}/`] ? `${dirKey}${line}/` : `${dirKey}${line}`;
    }
    const key = /^(\d+)=/.exec(line);
    if (key && dirKey.endsWith('/public-keys/')) return `${dirKey}${key[1]}/`;
    return `${dirKey}${line}`;
  });
}

function parentKeyOf(key: string): string {
  const trimmed = key.endsWith('/') ? key.slice(0, -1) : key;
  return trimmed.slice(0, trimmed.lastIndexOf('/') + 1);
}

function assertConsistent(label: string, cassette: Cassette): void {
  for (const dirKey of Object.keys(cassette.entries).filter(isListing)) {
    const lines = linesOf(bodyOf(cassette, dirKey));
    assert.equal(new Set(lines).size, lines.length, `${label}: ${dirKey} lists a name twice`);
    assert.ok(!lines.includes(''), `${label}: ${dirKey} has an empty line`);
    for (const child of childKeysOf(cassette, dirKey)) {
      assert.ok(cassette.entries[child], `${label}: ${dirKey} lists ${child}, which has no entry`);
    }
  }
  for (const key of Object.keys(cassette.entries)) {
    if (key === '/') continue;
    const parent = parentKeyOf(key);
    assert.ok(cassette.entries[parent], `${label}: ${key} has no parent listing ${parent}`);
    assert.ok(childKeysOf(cassette, parent).includes(key), `${label}: ${parent} does not list ${key}`);
  }
}

function parseJsonEntry(cassette: Cassette, key: string): Record<string, unknown> {
  return JSON.parse(bodyOf(cassette, key)) as Record<string, unknown>;
}

const defaultCassette = synthesizeCassette(defaultInstanceSpec);
// A Spot instance after EC2 recommended a rebalance and then scheduled its interruption.
const interruptedSpec: InstanceSpec = {
  ...minimalSpec,
  rebalanceNoticeTime: '2026-02-01T00:10:00Z',
  spotInterruption: { action: 'terminate', time: '2026-02-01T00:14:00Z' },
};

const cassettes: ReadonlyArray<[string, Cassette]> = [
  ['default', defaultCassette],
  ['minimal', synthesizeCassette(minimalSpec)],
  ['multi-card', synthesizeCassette(multiCardSpec)],
  ['interrupted', synthesizeCassette(interruptedSpec)],
];

test('every listed name has an entry and every entry is listed by its parent', () => {
  for (const [name, cassette] of cassettes) {
    assertConsistent(name, cassette);
  }
});

test('listings are sorted in code-point order, with sub-directories suffixed by a slash', () => {
  for (const [, cassette] of cassettes) {
    for (const key of Object.keys(cassette.entries).filter(isListing)) {
      if (key === '/' || key === '/latest/') continue;
      const lines = linesOf(bodyOf(cassette, key));
      assert.deepEqual(lines, [...lines].sort(), `${key} is not sorted`);
      const children = childKeysOf(cassette, key);
      lines.forEach((line, index) => {
        const namesDirectory = line.endsWith('/') || (key.endsWith('/public-keys/') && /^\d+=/.test(line));
        assert.equal(children[index]?.endsWith('/'), namesDirectory, `${key} marks ${line} wrongly`);
      });
    }
  }
});

test('no listing or leaf ends with a newline (user data is served as given)', () => {
  for (const [, cassette] of cassettes) {
    for (const [key, entry] of Object.entries(cassette.entries)) {
      if (key === '/latest/user-data') continue;
      assert.ok(!(entry.body ?? '').endsWith('\n'), `${key} ends with a newline`);
    }
  }
});

test('the version list and latest/ listing match real IMDS', () => {
  assert.equal(bodyOf(defaultCassette, '/'), IMDS_VERSIONS.join('\n'));
  assert.equal(bodyOf(defaultCassette, '/latest/'), 'dynamic\nmeta-data\nuser-data');
  assert.equal(bodyOf(synthesizeCassette(minimalSpec), '/latest/'), 'dynamic\nmeta-data');
  assert.equal(bodyOf(defaultCassette, '/latest/dynamic/'), 'instance-identity/');
  assert.equal(bodyOf(defaultCassette, '/latest/dynamic/instance-identity/'), 'document\npkcs7\nrsa2048\nsignature');
});

test('every entry is a 200 with only a content-type header', () => {
  for (const [, cassette] of cassettes) {
    for (const [key, entry] of Object.entries(cassette.entries)) {
      const type = key === '/latest/user-data' ? 'application/octet-stream' : 'text/plain';
      assert.equal(entry.status, 200, key);
      assert.deepEqual(entry.headers, { 'content-type': type }, key);
      assert.equal((entry.body === undefined) !== (entry.bodyBase64 === undefined), true, `${key} has one body`);
    }
  }
});

test('the identity document parses and agrees with meta-data', () => {
  for (const [name, cassette] of cassettes) {
    const doc = parseJsonEntry(cassette, '/latest/dynamic/instance-identity/document');
    assert.deepEqual(Object.keys(doc), [
      'accountId',
      'architecture',
      'availabilityZone',
      'billingProducts',
      'devpayProductCodes',
      'marketplaceProductCodes',
      'imageId',
      'instanceId',
      'instanceType',
      'kernelId',
      'pendingTime',
      'privateIp',
      'ramdiskId',
      'region',
      'version',
    ]);
    assert.equal(doc['instanceId'], bodyOf(cassette, `${META}instance-id`), name);
    assert.equal(doc['imageId'], bodyOf(cassette, `${META}ami-id`), name);
    assert.equal(doc['privateIp'], bodyOf(cassette, `${META}local-ipv4`), name);
    assert.equal(doc['region'], bodyOf(cassette, `${META}placement/region`), name);
    assert.equal(doc['availabilityZone'], bodyOf(cassette, `${META}placement/availability-zone`), name);
    assert.equal(doc['instanceType'], bodyOf(cassette, `${META}instance-type`), name);
    assert.equal(doc['instanceType'], cassette.meta.instanceType, name);
    assert.equal(doc['version'], '2017-09-30');
    assert.equal(doc['kernelId'], null);
  }
  const minimal = parseJsonEntry(synthesizeCassette(minimalSpec), '/latest/dynamic/instance-identity/document');
  assert.equal(minimal['architecture'], 'arm64');
  assert.equal(parseJsonEntry(defaultCassette, '/latest/dynamic/instance-identity/document')['architecture'], 'x86_64');
});

test('JSON documents use IMDS spacing', () => {
  const doc = bodyOf(defaultCassette, '/latest/dynamic/instance-identity/document');
  assert.match(doc, /^\{\n {2}"accountId" : "515336597381",\n/);
  assert.match(doc, /\n {2}"version" : "2017-09-30"\n\}$/);
  const withProducts = synthesizeCassette({ ...minimalSpec, productCodes: ['3iplms73etrdhxdepv72l6ywj'] });
  assert.match(
    bodyOf(withProducts, '/latest/dynamic/instance-identity/document'),
    /"marketplaceProductCodes" : \[ "3iplms73etrdhxdepv72l6ywj" \],/,
  );
  assert.equal(bodyOf(withProducts, `${META}product-codes`), '3iplms73etrdhxdepv72l6ywj');
  assert.equal(bodyOf(defaultCassette, `${META}events/maintenance/scheduled`), '[]');
  assert.equal(bodyOf(defaultCassette, `${META}events/maintenance/history`), '[]');
});

test('signature leaves are bare base64 wrapped at 76 columns', () => {
  for (const leaf of ['pkcs7', 'rsa2048', 'signature']) {
    const body = bodyOf(defaultCassette, `/latest/dynamic/instance-identity/${leaf}`);
    assert.ok(!body.includes('-----'), `${leaf} has PEM armour`);
    for (const line of body.split('\n')) assert.match(line, /^[A-Za-z0-9+/]{1,76}={0,2}$/, leaf);
    assert.ok(Buffer.from(body, 'base64').length > 100, `${leaf} decodes to bytes`);
  }
});

test('credentials have the IMDS keys, well-formed fake secrets and a 6-hour expiry', () => {
  const paths = [`${META}iam/security-credentials/baskinc-role`, `${META}identity-credentials/ec2/security-credentials/ec2-instance`];
  const sets = paths.map((path) => parseJsonEntry(defaultCassette, path));
  for (const creds of sets) {
    assert.deepEqual(Object.keys(creds), ['Code', 'LastUpdated', 'Type', 'AccessKeyId', 'SecretAccessKey', 'Token', 'Expiration']);
    assert.equal(creds['Code'], 'Success');
    assert.equal(creds['Type'], 'AWS-HMAC');
    assert.match(String(creds['AccessKeyId']), /^ASIA[A-Z0-9]{16}$/);
    assert.match(String(creds['SecretAccessKey']), /^[A-Za-z0-9+/]{40}$/);
    assert.match(String(creds['Token']), /^[A-Za-z0-9+/]{200,}={0,2}$/);
    assert.match(String(creds['LastUpdated']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.match(String(creds['Expiration']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const lifetime = Date.parse(String(creds['Expiration'])) - Date.parse(String(creds['LastUpdated']));
    assert.equal(lifetime, 6 * 60 * 60 * 1000);
  }
  const [iam, identity] = sets;
  assert.notEqual(iam?.['AccessKeyId'], identity?.['AccessKeyId']);
  assert.notEqual(iam?.['SecretAccessKey'], identity?.['SecretAccessKey']);
  assert.notEqual(iam?.['Token'], identity?.['Token']);
});

test('iam/ has info and the role, but no security-credentials-extended', () => {
  assert.equal(bodyOf(defaultCassette, `${META}iam/`), 'info\nsecurity-credentials/');
  assert.equal(bodyOf(defaultCassette, `${META}iam/security-credentials/`), 'baskinc-role');
  const info = parseJsonEntry(defaultCassette, `${META}iam/info`);
  assert.deepEqual(Object.keys(info), ['Code', 'LastUpdated', 'InstanceProfileArn', 'InstanceProfileId']);
  assert.equal(info['InstanceProfileArn'], 'arn:aws:iam::515336597381:instance-profile/baskinc-role');
  const identityInfo = parseJsonEntry(defaultCassette, `${META}identity-credentials/ec2/info`);
  assert.deepEqual(identityInfo, { Code: 'Success', LastUpdated: '2026-01-15T09:31:04Z', AccountId: '515336597381' });
  for (const key of Object.keys(defaultCassette.entries)) assert.ok(!key.includes('security-credentials-extended'));
});

test('public-keys lists 0=<name> and serves the key under 0/openssh-key', () => {
  assert.equal(bodyOf(defaultCassette, `${META}public-keys/`), '0=test');
  assert.equal(bodyOf(defaultCassette, `${META}public-keys/0/`), 'openssh-key');
  assert.match(bodyOf(defaultCassette, `${META}public-keys/0/openssh-key`), /^ssh-rsa AAAA\S+ test$/);
});

test('optional categories appear only when the spec sets them', () => {
  const minimal = synthesizeCassette(minimalSpec);
  const metaData = linesOf(bodyOf(minimal, META));
  for (const absent of [
    'iam/',
    'public-keys/',
    'tags/',
    'public-hostname',
    'public-ipv4',
    'ipv6',
    'kernel-id',
    'ramdisk-id',
    'product-codes',
    'spot/',
    'autoscaling/',
  ]) {
    assert.ok(!metaData.includes(absent), `minimal meta-data lists ${absent}`);
  }
  assert.equal(bodyOf(minimal, `${META}instance-life-cycle`), 'spot');
  assert.equal(bodyOf(minimal, `${META}local-hostname`), 'ip-10-0-1-5.eu-west-1.compute.internal');
  assert.equal(bodyOf(minimal, `${META}placement/`), 'availability-zone\navailability-zone-id\nregion');
  assert.ok(!minimal.entries['/latest/user-data']);
  for (const present of ['iam/', 'public-keys/', 'tags/', 'public-hostname', 'public-ipv4', 'ipv6']) {
    assert.ok(linesOf(bodyOf(defaultCassette, META)).includes(present), `default meta-data lacks ${present}`);
  }
  assert.equal(bodyOf(defaultCassette, `${META}tags/instance/`), 'Environment\nName\nTeam');
  assert.equal(bodyOf(defaultCassette, `${META}tags/instance/Name`), 'aemm-default');
});

test('per-interface keys follow the interface: public address, IPv6 and prefixes only when set', () => {
  assert.equal(bodyOf(defaultCassette, `${ETH0}ipv4-associations/192.0.2.54`), '172.16.34.43');
  assert.equal(bodyOf(defaultCassette, `${ETH0}public-hostname`), 'ec2-192-0-2-54.compute-1.amazonaws.com');
  assert.equal(bodyOf(defaultCassette, `${ETH0}ipv6s`), '2001:db8:8:4::2');
  assert.equal(bodyOf(defaultCassette, `${META}ipv6`), '2001:db8:8:4::2');
  const eth1 = linesOf(bodyOf(defaultCassette, ETH1));
  for (const absent of ['ipv4-associations/', 'public-hostname', 'public-ipv4s', 'ipv6s', 'ipv4-prefix', 'ipv6-prefix', 'network-card']) {
    assert.ok(!eth1.includes(absent), `eth1 lists ${absent}`);
  }
  assert.equal(bodyOf(defaultCassette, `${ETH1}device-number`), '1');
  const withPrefixes = synthesizeCassette({
    ...minimalSpec,
    networkInterfaces: [{ ...minimalSpec.networkInterfaces[0], ipv4Prefixes: ['10.0.1.16/28', '10.0.1.32/28'] }],
  });
  assert.equal(bodyOf(withPrefixes, `${META}network/interfaces/macs/02:00:00:00:00:01/ipv4-prefix`), '10.0.1.16/28\n10.0.1.32/28');
});

test('a multi-card instance serves network-card on every interface', () => {
  const cassette = synthesizeCassette(multiCardSpec);
  assert.equal(bodyOf(cassette, `${ETH0}network-card`), '0');
  assert.equal(bodyOf(cassette, `${ETH1}network-card`), '1');
  assert.ok(linesOf(bodyOf(cassette, ETH1)).includes('network-card'));
  assert.ok(!defaultCassette.entries[`${ETH0}network-card`]);
});

test('a scheduled interruption serves spot/ and a rebalance serves events/recommendations/, in the documented form', () => {
  const cassette = synthesizeCassette(interruptedSpec);
  assert.ok(linesOf(bodyOf(cassette, META)).includes('spot/'));
  assert.equal(bodyOf(cassette, `${META}spot/`), 'instance-action\ntermination-time');
  assert.equal(bodyOf(cassette, `${META}spot/instance-action`), '{"action": "terminate", "time": "2026-02-01T00:14:00Z"}');
  assert.equal(bodyOf(cassette, `${META}spot/termination-time`), '2026-02-01T00:14:00Z');
  assert.equal(bodyOf(cassette, `${META}events/`), 'maintenance/\nrecommendations/');
  assert.equal(bodyOf(cassette, `${META}events/recommendations/`), 'rebalance');
  assert.deepEqual(parseJsonEntry(cassette, `${META}events/recommendations/rebalance`), { noticeTime: '2026-02-01T00:10:00Z' });
  assert.equal(bodyOf(defaultCassette, `${META}events/`), 'maintenance/');
  const hibernating = synthesizeCassette({ ...minimalSpec, spotInterruption: { action: 'hibernate', time: '2026-02-01T00:00:30Z' } });
  assert.equal(bodyOf(hibernating, `${META}spot/`), 'instance-action');
  assert.ok(!linesOf(bodyOf(hibernating, `${META}events/`)).includes('recommendations/'));
});

test('user data is text when it is UTF-8 and base64 when it is not', () => {
  const text = synthesizeCassette({ ...minimalSpec, userData: new TextEncoder().encode('#!/bin/sh\necho hi\n') });
  assert.deepEqual(text.entries['/latest/user-data'], {
    status: 200,
    headers: { 'content-type': 'application/octet-stream' },
    body: '#!/bin/sh\necho hi\n',
  });
  const bytes = new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe]);
  const binary = synthesizeCassette({ ...minimalSpec, userData: bytes });
  const entry: Entry | undefined = binary.entries['/latest/user-data'];
  assert.equal(entry?.body, undefined);
  assert.deepEqual(Buffer.from(entry?.bodyBase64 ?? '', 'base64'), Buffer.from(bytes));
});

test('the same spec always gives the same cassette, and different instances get different secrets', () => {
  assert.deepEqual(synthesizeCassette(defaultInstanceSpec), synthesizeCassette(defaultInstanceSpec));
  const other = synthesizeCassette({ ...defaultInstanceSpec, instanceId: 'i-0fedcba9876543210' });
  const key = `${META}iam/security-credentials/baskinc-role`;
  assert.notEqual(bodyOf(other, key), bodyOf(defaultCassette, key));
});

test('meta describes a synthetic recording', () => {
  assert.equal(defaultCassette.format, 'aemm-cassette/1');
  assert.deepEqual(defaultCassette.meta, {
    recordedAt: '2026-01-15T10:02:38Z',
    source: 'synthetic',
    recorder: 'aemm synth',
    instanceType: 'm5.large',
    region: 'us-east-1',
    availabilityZone: 'us-east-1a',
    redacted: [],
    synthetic: true,
  });
});

test('recordings/default.json is exactly the synthesized default instance', () => {
  const path = new URL('../../recordings/default.json', import.meta.url);
  const text = readFileSync(path, 'utf8');
  assert.equal(text, JSON.stringify(defaultCassette, null, 2) + '\n', 'run `npm run recordings` to regenerate it');
  assert.deepEqual(JSON.parse(text), defaultCassette);
});
