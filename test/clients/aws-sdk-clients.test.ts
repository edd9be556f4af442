import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { fromInstanceMetadata } from '@smithy/credential-provider-imds';
import { loadCassette } from '../../src/cassette/load-cassette.js';
import type { Cassette } from '../../src/core/cassette.js';
import { startServer, type ImdsServer, type RequestLog } from '../../src/server/start-server.js';
import { withImdsEndpoint } from '../helpers/imds-env.js';

// Real clients we did not write, against the replay server serving the embedded recording.
for (const imdsv2 of [false, true]) {
  describe(`AWS SDK clients against aemm replay (IMDSv2 ${imdsv2 ? 'required' : 'optional'})`, () => {
    let server: ImdsServer;
    let cassette: Cassette;
    const logs: RequestLog[] = [];
    before(async () => {
      cassette = await loadCassette();
      server = await startServer({ cassette, port: 0, imdsv2, onRequest: (log) => logs.push(log) });
    });
    after(() => server.close());
    const recorded = (path: string): string => cassette.entries[path]!.body!;

    test('MetadataService reads instance-id and a listing with a token', async () => {
      const client = new MetadataService({ endpoint: server.url, retries: 0, httpOptions: { timeout: 2000 } });
      assert.equal(await client.request('/latest/meta-data/instance-id', {}), recorded('/latest/meta-data/instance-id'));
      assert.equal(await client.request('/latest/meta-data/', {}), recorded('/latest/meta-data/'));
      assert.equal(
        await client.request('/latest/dynamic/instance-identity/document', {}),
        recorded('/latest/dynamic/instance-identity/document'),
      );
    });

    test('MetadataService with tokens disabled', async () => {
      const client = new MetadataService({ endpoint: server.url, retries: 0, disableFetchToken: true, httpOptions: { timeout: 2000 } });
      const read = client.request('/latest/meta-data/instance-type', {});
      if (imdsv2) await assert.rejects(read, /401|Unauthorized/i);
      else assert.equal(await read, recorded('/latest/meta-data/instance-type'));
    });

    test('MetadataService.fetchMetadataToken returns a token the server accepts', async () => {
      const client = new MetadataService({ endpoint: server.url, retries: 0 });
      const token = await client.fetchMetadataToken();
      assert.equal(token.length, 56);
      const plain = new MetadataService({ endpoint: server.url, retries: 0, disableFetchToken: true });
      const id = await plain.request('/latest/meta-data/instance-id', { headers: { 'x-aws-ec2-metadata-token': token } });
      assert.equal(id, recorded('/latest/meta-data/instance-id'));
      await assert.rejects(
        plain.request('/latest/meta-data/instance-id', {
          headers: { 'x-aws-ec2-metadata-token': `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}` },
        }),
        /401|Unauthorized/i,
      );
    });

    test('fromInstanceMetadata resolves credentials that expire in the future', async () => {
      logs.length = 0;
      const credentials = await withImdsEndpoint(server.url, () => fromInstanceMetadata({ timeout: 2000, maxRetries: 0 })());
      const role = recorded('/latest/meta-data/iam/security-credentials/').trim();
      const doc = JSON.parse(recorded(`/latest/meta-data/iam/security-credentials/${role}`)) as Record<string, string>;
      assert.equal(credentials.accessKeyId, doc.AccessKeyId);
      assert.equal(credentials.secretAccessKey, doc.SecretAccessKey);
      assert.equal(credentials.sessionToken, doc.Token);
      assert.ok(credentials.expiration instanceof Date && credentials.expiration.getTime() > Date.now() + 60 * 60_000);
      assert.ok(
        logs.some((log) => log.method === 'PUT' && log.status === 200),
        'the provider fetched a token',
      );
      assert.ok(
        logs.every((log) => log.status === 200),
        JSON.stringify(logs),
      );
    });

    test('fromInstanceMetadata with IMDSv1 disabled still works (tokens)', async () => {
      const credentials = await withImdsEndpoint(server.url, () =>
        fromInstanceMetadata({ timeout: 2000, maxRetries: 0, ec2MetadataV1Disabled: true })(),
      );
      assert.match(credentials.accessKeyId, /^ASIA[A-Z0-9]{16}$/);
    });
  });
}
