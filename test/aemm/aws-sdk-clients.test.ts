import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { withImdsEndpoint } from '../helpers/imds-env.js';
import { CREDENTIALS_JSON, ROOT_META_LISTING } from './aemm-golden.js';
import { startAemm, type AemmProcess } from './spawn-ec2-metadata-mock.js';

/** A logger that keeps the SDK's warnings for the test to look at. */
function createLogger(): { warnings: string[]; logger: { debug(): void; info(): void; warn(...args: unknown[]): void; error(): void } } {
  const warnings: string[] = [];
  return { warnings, logger: { debug() {}, info() {}, warn: (...args) => warnings.push(args.map(String).join(' ')), error() {} } };
}

// The real AWS SDK clients against the drop-in binary, as AEMM users point their applications at it.
for (const imdsv2 of [false, true]) {
  describe(`AWS SDK clients against ec2-metadata-mock${imdsv2 ? ' -I' : ''}`, () => {
    let home: string;
    let aemm: AemmProcess;
    let fresh: AemmProcess;
    before(async () => {
      home = await mkdtemp(join(tmpdir(), 'aemm-sdk-'));
      const flags = ['-n', '127.0.0.1', '-p', '0', ...(imdsv2 ? ['-I'] : [])];
      aemm = await startAemm(flags, { env: { HOME: home } });
      fresh = await startAemm([...flags, '--fresh-credentials'], { env: { HOME: home } });
    });
    after(async () => {
      await aemm.stop();
      await fresh.stop();
      await rm(home, { recursive: true, force: true });
    });

    test('MetadataService reads values, the top listing and a spot notice (it sends //latest/…)', async () => {
      const client = new MetadataService({ endpoint: aemm.url, retries: 0, httpOptions: { timeout: 2000 } });
      assert.equal(await client.request('/latest/meta-data/instance-id', {}), 'i-1234567890abcdef0');
      assert.equal(await client.request('/latest/meta-data/', {}), ROOT_META_LISTING);
      assert.equal(await client.request('/latest/meta-data/iam/security-credentials/baskinc-role', {}), CREDENTIALS_JSON);
      const notice = JSON.parse(await client.request('/latest/meta-data/spot/instance-action', {})) as { action: string };
      assert.equal(notice.action, 'terminate');
    });

    test('MetadataService without tokens works only when IMDSv1 is allowed', async () => {
      const client = new MetadataService({ endpoint: aemm.url, retries: 0, disableFetchToken: true, httpOptions: { timeout: 2000 } });
      const read = client.request('/latest/meta-data/instance-type', {});
      if (imdsv2) await assert.rejects(read, /401|Unauthorized/i);
      else assert.equal(await read, 'm4.xlarge');
    });

    test("fromInstanceMetadata resolves AEMM's credentials; their 2020 expiry makes the SDK extend them with a warning", async () => {
      const { warnings, logger } = createLogger();
      const credentials = await withImdsEndpoint(aemm.url, () => fromInstanceMetadata({ timeout: 2000, maxRetries: 0, logger })());
      assert.equal(credentials.accessKeyId, '12345678901');
      assert.equal(credentials.secretAccessKey, 'v/12345678901');
      assert.equal(credentials.sessionToken, 'TEST92test48TEST+y6RpoTEST92test48TEST/8oWVAiBqTEsT5Ky7ty2tEStxC1T==');
      assert.ok(
        warnings.some((warning) => /credential expiration extension/.test(warning)),
        warnings.join('\n'),
      );
    });

    test('with --fresh-credentials the SDK gets credentials that expire hours ahead, and no warning', async () => {
      const { warnings, logger } = createLogger();
      const credentials = await withImdsEndpoint(fresh.url, () =>
        fromInstanceMetadata({ timeout: 2000, maxRetries: 0, logger, ec2MetadataV1Disabled: imdsv2 })(),
      );
      assert.equal(credentials.accessKeyId, '12345678901');
      assert.ok(credentials.expiration instanceof Date && credentials.expiration.getTime() > Date.now() + 5 * 3_600_000);
      assert.deepEqual(warnings, []);
    });
  });
}
