import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Entry } from '../../src/core/cassette.js';
import { createRedactor, REDACTED_PLACEHOLDER } from '../../src/recorder/create-redactor.js';
import { createPathMatcher } from '../../src/core/create-path-matcher.js';

const REAL = {
  AccessKeyId: 'ASIAQWERTYUIOPASDFGH',
  SecretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  Token: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6example+token/with/slashes==',
};

function credentialsBody(extra = ''): string {
  return (
    `{\n  "Code" : "Success",\n  "LastUpdated" : "2026-01-15T09:31:04Z",\n  "Type" : "AWS-HMAC",\n  "AccessKeyId" : "${REAL.AccessKeyId}",\n` +
    `  "SecretAccessKey" : "${REAL.SecretAccessKey}",\n  "Token" : "${REAL.Token}",\n  "Expiration" : "2026-01-15T15:31:04Z"${extra}\n}`
  );
}

const text = (body: string, contentType = 'text/plain'): Entry => ({ status: 200, headers: { 'content-type': contentType }, body });
const ROLE = '/latest/meta-data/iam/security-credentials/web-role';
const EXTENDED = '/latest/meta-data/iam/security-credentials-extended/web-role';
const IDENTITY = '/latest/meta-data/identity-credentials/ec2/security-credentials/ec2-instance';

describe('createRedactor', () => {
  test('replaces the three secrets by same-shaped fakes and leaves every other byte as IMDS sent it', () => {
    const redactor = createRedactor();
    const body = redactor.redactEntry(ROLE, text(credentialsBody())).body!;
    const fake = JSON.parse(body) as Record<string, string>;
    assert.match(fake.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    assert.match(fake.SecretAccessKey!, /^[A-Za-z0-9+/]{40}$/);
    assert.equal(fake.Token!.length, REAL.Token.length);
    assert.match(fake.Token!, /^[A-Za-z0-9+/]+==$/);
    assert.match(Buffer.from(fake.Token!, 'base64').toString('latin1'), /aemm redacted session token - not valid on AWS/);
    for (const field of ['AccessKeyId', 'SecretAccessKey', 'Token'] as const) assert.notEqual(fake[field], REAL[field]);
    // Putting the real values back gives the original bytes: only the values changed.
    const restored = body
      .replace(fake.AccessKeyId!, REAL.AccessKeyId)
      .replace(fake.SecretAccessKey!, REAL.SecretAccessKey)
      .replace(fake.Token!, REAL.Token);
    assert.equal(restored, credentialsBody());
    assert.deepEqual(redactor.redacted, [ROLE]);
  });

  test('gives the same real value the same fake on every credentials path, and another recording other fakes', () => {
    const redactor = createRedactor();
    const legacy = redactor.redactEntry(ROLE, text(credentialsBody())).body!;
    const extended = redactor.redactEntry(EXTENDED, text(credentialsBody(',\n  "AccountId" : "123456789012"'))).body!;
    const identity = redactor.redactEntry(IDENTITY, text(credentialsBody())).body!;
    const pick = (body: string): unknown => {
      const { AccessKeyId, SecretAccessKey, Token } = JSON.parse(body) as Record<string, string>;
      return { AccessKeyId, SecretAccessKey, Token };
    };
    assert.deepEqual(pick(extended), pick(legacy));
    assert.deepEqual(pick(identity), pick(legacy));
    assert.notDeepEqual(pick(createRedactor().redactEntry(ROLE, text(credentialsBody())).body!), pick(legacy));
    assert.deepEqual(redactor.redacted, [EXTENDED, ROLE, IDENTITY].sort());
  });

  test('derives fakes from its key alone, so the same key gives the same fakes and nothing else does', () => {
    const key = new Uint8Array(32).fill(7);
    const one = createRedactor({ key }).redactEntry(ROLE, text(credentialsBody())).body;
    const two = createRedactor({ key }).redactEntry(ROLE, text(credentialsBody())).body;
    assert.equal(one, two);
  });

  test('leaves credentials alone with credentials: false, and bodies without credential fields always', () => {
    const entry = text(credentialsBody());
    assert.equal(createRedactor({ credentials: false }).redactEntry(ROLE, entry), entry);
    assert.deepEqual(createRedactor({ credentials: false }).findLeaks({ [ROLE]: entry }), []);
    const info = text('{\n  "Code" : "Success",\n  "InstanceProfileArn" : "arn:aws:iam::123456789012:instance-profile/web"\n}');
    assert.equal(createRedactor().redactEntry('/latest/meta-data/iam/info', info), info);
    assert.equal(createRedactor().redactEntry('/latest/meta-data/iam/security-credentials/', text('web-role')).body, 'web-role');
  });

  test('fakes credentials asked with a trailing slash, as real IMDS answers them', () => {
    const redactor = createRedactor();
    const fake = JSON.parse(redactor.redactEntry(`${ROLE}/`, text(credentialsBody())).body!) as Record<string, string>;
    for (const field of ['AccessKeyId', 'SecretAccessKey', 'Token'] as const) assert.notEqual(fake[field], REAL[field], field);
    assert.deepEqual(redactor.redacted, [`${ROLE}/`]);
  });

  test('fakes credential fields in any JSON body, whatever its path, bytes or text', () => {
    const redactor = createRedactor();
    const config = `{"region": "us-east-1", "aws": {"AccessKeyId": "${REAL.AccessKeyId}", "SecretAccessKey": "${REAL.SecretAccessKey}", "Token": "${REAL.Token}"}}`;
    const userData = redactor.redactEntry('/latest/user-data', text(config, 'application/octet-stream'));
    const faked = JSON.parse(userData.body!) as { region: string; aws: Record<string, string> };
    assert.equal(faked.region, 'us-east-1');
    assert.match(faked.aws.AccessKeyId!, /^ASIA[A-Z2-7]{16}$/);
    for (const secret of Object.values(REAL)) assert.ok(!userData.body!.includes(secret));
    const bom: Entry = { status: 200, headers: {}, bodyBase64: Buffer.from(`\uFEFF${config}`).toString('base64') };
    const fromBytes = Buffer.from(redactor.redactEntry('/latest/meta-data/some/odd/place', bom).bodyBase64!, 'base64').toString('utf8');
    assert.ok(fromBytes.startsWith('\uFEFF{'));
    for (const secret of Object.values(REAL)) assert.ok(!fromBytes.includes(secret));
    assert.deepEqual(redactor.redacted, ['/latest/meta-data/some/odd/place', '/latest/user-data']);
  });

  test('finds credential fields that were never faked, even when it never saw those secrets', () => {
    const redactor = createRedactor();
    const faked = redactor.redactEntry(ROLE, text(credentialsBody()));
    const placeholder = createRedactor({ paths: ['meta-data/iam/**'] }).redactEntry(ROLE, text(credentialsBody()));
    assert.deepEqual(redactor.findLeaks({ [ROLE]: faked, '/x': placeholder, '/empty': text('{"Token": ""}') }), []);
    assert.deepEqual(createRedactor().findLeaks({ [`${ROLE}/`]: text(credentialsBody()) }), [
      `AccessKeyId at ${ROLE}/`,
      `SecretAccessKey at ${ROLE}/`,
      `Token at ${ROLE}/`,
    ]);
  });

  test('accepts the fakes of entries an earlier recording redacted, and nothing else from them', () => {
    const earlier = createRedactor().redactEntry(ROLE, text(credentialsBody()));
    const redactor = createRedactor({ redactedBefore: { [ROLE]: earlier } });
    assert.deepEqual(redactor.findLeaks({ [ROLE]: earlier }), []);
    assert.deepEqual(redactor.findLeaks({ [IDENTITY]: text(credentialsBody()) }).length, 3);
  });

  test('scrubs a secret seen in a credentials document wherever else it occurs, text or bytes', () => {
    const redactor = createRedactor();
    const role = redactor.redactEntry(ROLE, text(credentialsBody()));
    const fakeToken = (JSON.parse(role.body!) as Record<string, string>).Token!;
    const userData: Entry = {
      status: 200,
      headers: {},
      bodyBase64: Buffer.concat([Buffer.from([0xff, 0]), Buffer.from(`token=${REAL.Token}`)]).toString('base64'),
    };
    const echo = text(`key ${REAL.AccessKeyId}`);
    const scrubbed = redactor.scrub({ [ROLE]: role, '/latest/user-data': userData, '/latest/meta-data/echo': echo });
    assert.deepEqual(redactor.findLeaks(scrubbed), []);
    assert.ok(Buffer.from(scrubbed['/latest/user-data']!.bodyBase64!, 'base64').includes(`token=${fakeToken}`));
    assert.doesNotMatch(scrubbed['/latest/meta-data/echo']!.body!, /ASIAQWERTY/);
    assert.deepEqual(redactor.findLeaks({ '/latest/user-data': userData, '/x': echo }), [
      'Token at /latest/user-data',
      'AccessKeyId at /x',
    ]);
    assert.ok(redactor.redacted.includes('/latest/user-data'));
  });

  test('replaces whole bodies of --redact paths; JSON keeps its keys', () => {
    const redactor = createRedactor({ paths: ['user-data', 'meta-data/tags/**', '/latest/dynamic/instance-identity/document'] });
    const userData = redactor.redactEntry('/latest/user-data', {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      bodyBase64: '/wABAg==',
    });
    assert.deepEqual(userData, { status: 200, headers: { 'content-type': 'application/octet-stream' }, body: REDACTED_PLACEHOLDER });
    assert.equal(redactor.redactEntry('/2021-03-23/user-data', text('#!/bin/sh')).body, REDACTED_PLACEHOLDER);
    assert.equal(redactor.redactEntry('/latest/meta-data/tags/instance/Name', text('web')).body, REDACTED_PLACEHOLDER);
    // Listings are structure, not secrets: tag keys stay so replay still lists them.
    assert.equal(redactor.redactEntry('/latest/meta-data/tags/instance/', text('Name')).body, 'Name');
    const doc = redactor.redactEntry(
      '/latest/dynamic/instance-identity/document',
      text('{\n  "accountId" : "123456789012",\n  "version" : "2017-09-30",\n  "billingProducts" : null\n}'),
    );
    assert.deepEqual(JSON.parse(doc.body!), { accountId: REDACTED_PLACEHOLDER, version: REDACTED_PLACEHOLDER, billingProducts: null });
    assert.equal(redactor.redactEntry('/latest/meta-data/instance-id', text('i-1')).body, 'i-1');
    assert.deepEqual(redactor.redacted, [
      '/2021-03-23/user-data',
      '/latest/dynamic/instance-identity/document',
      '/latest/meta-data/tags/instance/Name',
      '/latest/user-data',
    ]);
  });

  test('replaces a --redact match asked with a trailing slash when nothing is recorded under it, and keeps real listings', () => {
    const redactor = createRedactor({ paths: ['user-data', 'meta-data/tags/**'] });
    const entries: Record<string, Entry> = {
      '/latest/user-data/': text('#!/bin/sh\necho secret'),
      '/latest/meta-data/tags/instance/': text('Name'),
      '/latest/meta-data/tags/instance/Name': redactor.redactEntry('/latest/meta-data/tags/instance/Name', text('web')),
      '/latest/meta-data/tags/instance/Team/': text('platform'),
    };
    for (const [key, entry] of Object.entries(entries)) entries[key] = redactor.redactEntry(key, entry);
    const scrubbed = redactor.scrub(entries);
    assert.equal(scrubbed['/latest/user-data/']!.body, REDACTED_PLACEHOLDER);
    assert.equal(scrubbed['/latest/meta-data/tags/instance/Team/']!.body, REDACTED_PLACEHOLDER);
    assert.equal(scrubbed['/latest/meta-data/tags/instance/']!.body, 'Name', 'a listing with its children stays');
    assert.deepEqual(redactor.redacted, [
      '/latest/meta-data/tags/instance/Name',
      '/latest/meta-data/tags/instance/Team/',
      '/latest/user-data/',
    ]);
  });
});

describe('--redact globs', () => {
  const cases: Array<[string, string, boolean]> = [
    ['user-data', '/latest/user-data', true],
    ['user-data', '/2021-03-23/user-data', true],
    ['meta-data/tags/instance/*', '/latest/meta-data/tags/instance/Name', true],
    ['meta-data/tags/instance/*', '/latest/meta-data/tags/other', false],
    ['meta-data/tags/', '/latest/meta-data/tags/instance/a', true],
    ['meta-data/**/openssh-key', '/latest/meta-data/public-keys/0/openssh-key', true],
    ['/latest/user-data', '/2021-03-23/user-data', false],
    ['meta-data/ami-i?', '/latest/meta-data/ami-id', true],
    ['meta-data/ami.id', '/latest/meta-data/ami-id', false],
  ];
  for (const [glob, key, expected] of cases) {
    test(`${glob} ${expected ? 'covers' : 'does not cover'} ${key}`, () =>
      assert.equal(createPathMatcher([glob], '--redact')(key), expected));
  }

  test('refuses an empty pattern with a one-line fix', () => {
    assert.throws(() => createPathMatcher([' '], '--redact'), {
      code: 'USAGE',
      message: /^--redact "" is empty\. Give a path glob such as/,
    });
  });
});
