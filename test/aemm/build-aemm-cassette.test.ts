import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { UsageError } from '../../src/core/errors.js';
import { buildAemmCassette } from '../../src/aemm/build-aemm-cassette.js';
import { mergeAemmTrees, type AemmTree } from '../../src/aemm/aemm-tree.js';
import { loadAemmConfig } from '../../src/aemm/load-aemm-config.js';

async function defaults(): Promise<AemmTree> {
  return (await loadAemmConfig({ flags: [], env: {}, now: 0, utcOffsetMinutes: 0 })).tree;
}

const withValues = async (values: AemmTree, paths: AemmTree = {}): Promise<AemmTree> =>
  mergeAemmTrees(await defaults(), { metadata: { values, paths } });

describe('buildAemmCassette', () => {
  test("recordings/aemm-defaults.json is exactly AEMM's defaults (regenerate with src/aemm/write-aemm-defaults.ts)", async () => {
    const shipped = JSON.parse(await readFile(new URL('../../recordings/aemm-defaults.json', import.meta.url), 'utf8')) as unknown;
    assert.deepEqual(shipped, JSON.parse(JSON.stringify(buildAemmCassette(await defaults()))));
  });

  test('serves every static path AEMM registers and no notice, with recorded listings for the imds profile', async () => {
    const cassette = buildAemmCassette(await defaults());
    assert.equal(Object.keys(cassette.entries).filter((key) => !key.endsWith('/')).length, 64);
    assert.equal(cassette.entries['/latest/']!.body, 'dynamic\nmeta-data\nuser-data');
    assert.equal(cassette.entries['/latest/meta-data/iam/']!.body, 'info\nsecurity-credentials\nsecurity-credentials/');
    assert.equal(cassette.entries['/latest/meta-data/spot/instance-action'], undefined);
    assert.equal(cassette.entries['/latest/meta-data/events/maintenance/scheduled'], undefined);
    assert.equal(cassette.meta.instanceType, 'm4.xlarge');
  });

  test('config values of other types are read as mapstructure does, objects where text belongs are refused', async () => {
    const cassette = buildAemmCassette(await withValues({ 'ami-launch-index': 3, 'instance-action': true }));
    assert.equal(cassette.entries['/latest/meta-data/ami-launch-index']!.body, '3');
    assert.equal(cassette.entries['/latest/meta-data/instance-action']!.body, '1');
    assert.throws(
      () =>
        buildAemmCassette(
          mergeAemmTrees({}, { metadata: { values: { 'ami-id': { x: '1' } }, paths: { 'ami-id': '/latest/meta-data/ami-id' } } }),
        ),
      (error: unknown) => error instanceof UsageError && /metadata\.values\.ami-id must be text/.test(error.message),
    );
  });

  test('a struct value is merged key by key, in any case', async () => {
    const cassette = buildAemmCassette(await withValues({ 'iam-security-credentials': { accesskeyid: 'AKIA1' } }));
    const body = cassette.entries['/latest/meta-data/iam/security-credentials/baskinc-role']!.body!;
    assert.match(
      body,
      /^\{\n\t"Code": "Success",\n\t"LastUpdated": "2020-04-02T18:50:40Z",\n\t"Type": "AWS-HMAC",\n\t"AccessKeyId": "AKIA1",\n/,
    );
  });

  test("the accelerator is compact text only at AEMM's literal path; moved, it is indented JSON", async () => {
    const moved = buildAemmCassette(
      await withValues({}, { 'elastic-inference-accelerator': '/latest/meta-data/elastic-inference/associations/eia-1' }),
    );
    const entry = moved.entries['/latest/meta-data/elastic-inference/associations/eia-1']!;
    assert.equal(entry.headers['content-type'], 'application/json');
    assert.match(
      entry.body!,
      /^\{\n\t"version_2018_04_12": \{\n\t\t"elastic-inference-accelerator-id": "eia-bfa21c7904f64a82a21b9f4540169ce1"/,
    );
  });

  test("user-data is decoded from base64; a value that is not base64 serves empty, as Go's decoder fails", async () => {
    const valid = buildAemmCassette(
      mergeAemmTrees(await defaults(), { userdata: { values: { userdata: Buffer.from([0xff, 0, 1]).toString('base64') } } }),
    );
    assert.equal(valid.entries['/latest/user-data']!.bodyBase64, '/wAB');
    const invalid = buildAemmCassette(mergeAemmTrees(await defaults(), { userdata: { values: { userdata: 'plain text!' } } }));
    assert.equal(invalid.entries['/latest/user-data']!.body, '');
  });

  test('a path that is not absolute is refused with the key to fix', async () => {
    const tree = mergeAemmTrees(await defaults(), { metadata: { paths: { mac: 'mac' } } });
    assert.throws(
      () => buildAemmCassette(tree),
      (error: unknown) => error instanceof UsageError && /metadata\.paths\.mac "mac" is not a path AEMM can serve/.test(error.message),
    );
  });

  test("notice times AEMM's config fixes are kept as given", async () => {
    const cassette = buildAemmCassette(await defaults(), {
      action: 'stop',
      spotTime: '2020-01-07T01:03:47+02:00',
      rebalanceRecTime: '2020-01-07T00:00:00Z',
    });
    assert.equal(
      cassette.entries['/latest/meta-data/spot/instance-action']!.body,
      '{\n\t"action": "stop",\n\t"time": "2020-01-07T01:03:47+02:00"\n}',
    );
    assert.equal(cassette.entries['/latest/meta-data/spot/termination-time']!.body, '2020-01-07T01:03:47+02:00');
    assert.equal(
      cassette.entries['/latest/meta-data/events/recommendations/rebalance']!.body,
      '{\n\t"noticeTime": "2020-01-07T00:00:00Z"\n}',
    );
  });
});
