import type { Cassette, Entry } from '../../src/core/cassette.js';

const text = (body: string): Entry => ({ status: 200, headers: { 'content-type': 'text/plain' }, body });

/** A small, hand-written cassette that covers each shape of entry the core must serve. */
export function createTinyCassette(): Cassette {
  return {
    format: 'aemm-cassette/1',
    meta: { recordedAt: '2026-01-01T00:00:00Z', source: 'test', recorder: 'test', redacted: [], synthetic: true },
    entries: {
      '/latest/': text('dynamic\nmeta-data\nuser-data'),
      '/latest/meta-data/': text('ami-id\niam/\ninstance-id\npublic-keys/\ntags/'),
      '/latest/meta-data/ami-id': text('ami-0123'),
      '/latest/meta-data/instance-id': text('i-0abc'),
      '/latest/meta-data/iam/': text('info\nsecurity-credentials/'),
      '/latest/meta-data/iam/info': text('{\n  "Code" : "Success"\n}'),
      '/latest/meta-data/iam/security-credentials/': text('web-role'),
      '/latest/meta-data/iam/security-credentials/web-role': text(
        '{\n  "Code" : "Success",\n  "LastUpdated" : "2020-01-01T00:00:00Z",\n  "Type" : "AWS-HMAC",\n' +
          '  "AccessKeyId" : "ASIAAAAAAAAAAAAAAAAA",\n  "SecretAccessKey" : "secret",\n  "Token" : "token",\n' +
          '  "Expiration" : "2020-01-01T06:00:00Z"\n}',
      ),
      '/latest/meta-data/public-keys/': text('0=my-key'),
      '/latest/meta-data/public-keys/0/': text('openssh-key'),
      '/latest/meta-data/public-keys/0/openssh-key': text('ssh-rsa AAAA my-key'),
      '/latest/meta-data/tags/': text('instance/'),
      '/latest/meta-data/tags/instance/': text('Name\nteam+ops'),
      '/latest/meta-data/tags/instance/Name': text('web'),
      '/latest/meta-data/tags/instance/team+ops': text('sre'),
      '/latest/dynamic/': text('instance-identity/'),
      '/latest/dynamic/instance-identity/': text('document'),
      '/latest/dynamic/instance-identity/document': text('{\n  "instanceId" : "i-0abc"\n}'),
      '/latest/user-data': { status: 200, headers: { 'content-type': 'application/octet-stream' }, bodyBase64: '/wABAg==' },
      '/2009-04-04/meta-data/ami-id': text('ami-old'),
    },
  };
}
