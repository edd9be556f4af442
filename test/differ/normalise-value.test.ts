import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kindOf, normaliseValue } from '../../src/differ/normalise-value.js';

test('instance-specific values are recognised by kind', () => {
  const cases: Array<[string, string]> = [
    ['i-1234567890abcdef0', 'instance-id'],
    ['i-12345678', 'instance-id'],
    ['eni-0f95d3625f5c521cc', 'eni-id'],
    ['subnet-0ac62554', 'subnet-id'],
    ['vpc-d295a6a7', 'vpc-id'],
    ['r-046cb3eca3e201d2f', 'reservation-id'],
    ['sg-0b07f8f6cb485d4df', 'security-group-id'],
    ['h-0123456789abcdef0', 'host-id'],
    ['instance-event-0d59937288b749b32', 'event-id'],
    ['AIPA5BOGHHXZELSK34VU4', 'instance-profile-id'],
    ['515336597381', 'account-id'],
    ['0e:49:61:0f:c3:11', 'mac'],
    ['172.16.34.43', 'ipv4'],
    ['172.16.32.0/20', 'ipv4-cidr'],
    ['2001:db8:8:4::2', 'ipv6'],
    ['2001:db8:42:10:6f2a:91c4:3b7e:d015', 'ipv6'],
    ['2001:db8:8:4::/64', 'ipv6-cidr'],
    ['ip-172-16-34-43.ec2.internal', 'hostname'],
    ['ip-10-0-1-5.eu-west-1.compute.internal', 'hostname'],
    ['i-0123456789abcdef0.us-east-2.compute.internal', 'hostname'],
    ['ec2-192-0-2-54.compute-1.amazonaws.com', 'hostname'],
    ['ec2-203-0-113-24.eu-west-1.compute.amazonaws.com', 'hostname'],
    ['2026-01-15T09:30:12Z', 'timestamp'],
    ['2026-01-15T09:30:12.123Z', 'timestamp'],
    ['21 Jan 2019 09:00:43 GMT', 'timestamp'],
  ];
  for (const [value, kind] of cases) assert.equal(kindOf(value), kind, value);
});

test('configuration values are not folded', () => {
  for (const value of [
    'm5.large',
    'ami-0a887e401f7654935',
    'us-east-1',
    'us-east-1a',
    'use1-az4',
    '/dev/xvda',
    'on-demand',
    'x86_64',
    'arm64',
    '0',
    '1',
    'default-hvm',
    'baskinc-role',
    'sdb',
    'none',
    'nitro',
    '',
    'aws',
  ]) {
    assert.equal(kindOf(value), undefined, value);
    assert.equal(normaliseValue(value), value);
  }
});

test('different values of one kind normalise alike, different kinds do not', () => {
  assert.equal(normaliseValue('i-1234567890abcdef0'), normaliseValue('i-0fedcba9876543210'));
  assert.equal(normaliseValue('10.0.0.1'), normaliseValue('192.0.2.54'));
  assert.notEqual(normaliseValue('i-1234567890abcdef0'), normaliseValue('10.0.0.1'));
  assert.notEqual(normaliseValue('10.0.0.0/16'), normaliseValue('10.0.0.1'));
  assert.equal(normaliseValue('10.0.0.1'), '<ipv4>');
});

test('the account inside an ARN is folded, the rest is kept', () => {
  const a = normaliseValue('arn:aws:iam::515336597381:instance-profile/web');
  assert.equal(a, 'arn:aws:iam::<account-id>:instance-profile/web');
  assert.equal(a, normaliseValue('arn:aws:iam::111122223333:instance-profile/web'));
  assert.notEqual(a, normaliseValue('arn:aws:iam::111122223333:instance-profile/db'));
});
