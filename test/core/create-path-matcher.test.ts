import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createPathMatcher } from '../../src/core/create-path-matcher.js';
import { UsageError } from '../../src/core/errors.js';

test('* stays within a segment, ** crosses segments, ? is one character', () => {
  const match = createPathMatcher(['/latest/meta-data/*-id', '/latest/dynamic/**', '/latest/meta-data/ebs?']);
  assert.equal(match('/latest/meta-data/ami-id'), true);
  assert.equal(match('/latest/meta-data/placement/availability-zone-id'), false);
  assert.equal(match('/latest/dynamic/instance-identity/document'), true);
  assert.equal(match('/latest/meta-data/ebs1'), true);
  assert.equal(match('/latest/meta-data/ebs12'), false);
});

test('a glob without a leading slash matches at any depth', () => {
  const match = createPathMatcher(['ipv6s', 'meta-data/tags/**']);
  assert.equal(match('/latest/meta-data/network/interfaces/macs/0e:49:61:0f:c3:11/ipv6s'), true);
  assert.equal(match('/latest/meta-data/tags/instance/Name'), true);
  assert.equal(match('/2021-03-23/meta-data/tags/instance/'), true);
  assert.equal(match('/latest/meta-data/ipv6'), false);
});

test('a matching directory covers its subtree, with or without the trailing slash', () => {
  const match = createPathMatcher(['/latest/meta-data/iam']);
  assert.equal(match('/latest/meta-data/iam/'), true);
  assert.equal(match('/latest/meta-data/iam/security-credentials/role'), true);
  assert.equal(match('/latest/meta-data/iam-other'), false);
  assert.equal(match('/latest/meta-data/'), false);
});

test('no globs match nothing; regex characters are literal', () => {
  assert.equal(createPathMatcher([])('/latest/'), false);
  const match = createPathMatcher(['/latest/meta-data/tags/instance/a+b']);
  assert.equal(match('/latest/meta-data/tags/instance/a+b'), true);
  assert.equal(match('/latest/meta-data/tags/instance/aab'), false);
});

test('an empty glob is a usage error', () => {
  assert.throws(() => createPathMatcher(['']), UsageError);
});

test('fault-style globs match their path under any API version', () => {
  const spot = createPathMatcher(['spot/*']);
  assert.equal(spot('/latest/meta-data/spot/instance-action'), true);
  assert.equal(spot('/2021-03-23/meta-data/spot/termination-time'), true);
  assert.equal(spot('/latest/meta-data/instance-id'), false);
  const token = createPathMatcher(['api/token']);
  assert.equal(token('/latest/api/token'), true);
  assert.equal(token('/latest/meta-data/api'), false);
});
