import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { send } from '../helpers/http.js';
import {
  CREDENTIALS_JSON,
  DYNAMIC_LISTING,
  IDENTITY_DOCUMENT_JSON,
  IDENTITY_LISTING,
  MAC_LISTING,
  NOT_FOUND_PAGE,
  ROOT_META_LISTING,
  SPOT_LISTING,
} from './aemm-golden.js';
import { startAemm, type AemmProcess } from './spawn-ec2-metadata-mock.js';

// The way AEMM users script it: start the binary with defaults, curl paths, compare bytes.
describe('ec2-metadata-mock serves AEMM v1.12 defaults byte for byte', () => {
  let home: string;
  let aemm: AemmProcess;
  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'aemm-home-'));
    aemm = await startAemm(['-n', '127.0.0.1', '-p', '0'], { env: { HOME: home } });
  });
  after(async () => {
    await aemm.stop();
    await rm(home, { recursive: true, force: true });
  });
  const get = (path: string, headers?: Record<string, string>) => send(aemm.url, path, { headers });

  test('version and category listings end with a newline, and list only latest', async () => {
    assert.equal((await get('/')).text, 'latest\n');
    assert.equal((await get('/latest')).text, 'dynamic\nmeta-data\nuser-data\n');
    assert.equal((await get('/latest/')).text, 'dynamic\nmeta-data\nuser-data\n');
    assert.equal((await get('/2021-03-23/meta-data/instance-id')).status, 404, 'AEMM knows no dated versions');
  });

  test('/latest/meta-data lists the top level as AEMM does, with and without a trailing slash', async () => {
    for (const path of ['/latest/meta-data', '/latest/meta-data/']) {
      const response = await get(path);
      assert.equal(response.status, 200);
      assert.equal(response.headers['content-type'], 'text/plain');
      assert.equal(response.text, ROOT_META_LISTING);
    }
  });

  test('sub-listings come from the catch-all: first segments, no final newline, no 301', async () => {
    assert.equal((await get('/latest/meta-data/iam')).text, 'info\nsecurity-credentials\nsecurity-credentials/');
    assert.equal((await get('/latest/meta-data/block-device-mapping/')).text, 'ami\nebs0\nephemeral0\nroot\nswap');
    assert.equal((await get('/latest/meta-data/public-keys')).text, '0/');
    assert.equal((await get('/latest/meta-data/public-keys/0')).text, 'openssh-key');
    assert.equal((await get('/latest/meta-data/spot')).text, SPOT_LISTING);
    assert.equal((await get('/latest/meta-data/events')).text, 'maintenance/\nrecommendations/');
    assert.equal((await get('/latest/meta-data/events/maintenance')).text, 'scheduled', 'AEMM has no maintenance history');
    assert.equal((await get('/latest/meta-data/network/interfaces/macs')).text, '0e:49:61:0f:c3:11/');
    assert.equal((await get('/latest/meta-data/network/interfaces/macs/0e:49:61:0f:c3:11/')).text, MAC_LISTING);
    assert.equal((await get('/latest/meta-data/tags/instance')).text, 'Name\nTest');
    assert.equal((await get('/latest/dynamic')).text, DYNAMIC_LISTING);
    assert.equal((await get('/latest/dynamic/instance-identity/')).text, IDENTITY_LISTING);
  });

  test('leaves that are also directories answer their value, with or without a slash', async () => {
    for (const path of ['/latest/meta-data/iam/security-credentials', '/latest/meta-data/iam/security-credentials/']) {
      const response = await get(path);
      assert.equal(response.status, 200);
      assert.equal(response.text, 'baskinc-role');
    }
    assert.equal((await get('/latest/meta-data/elastic-inference/associations')).text, 'eia-bfa21c7904f64a82a21b9f4540169ce1');
    assert.equal((await get('/latest/meta-data/elastic-inference')).text, 'associations\nassociations/');
  });

  test('JSON documents are tab-indented application/json without a final newline', async () => {
    const credentials = await get('/latest/meta-data/iam/security-credentials/baskinc-role');
    assert.equal(credentials.headers['content-type'], 'application/json');
    assert.equal(credentials.text, CREDENTIALS_JSON);
    const document = await get('/latest/dynamic/instance-identity/document');
    assert.equal(document.headers['content-type'], 'application/json');
    assert.equal(document.text, IDENTITY_DOCUMENT_JSON);
    const info = await get('/latest/meta-data/iam/info');
    assert.match(
      info.text,
      /^\{\n\t"Code": "Success",\n\t"LastUpdated": "2020-04-02T18:50:40Z",\n\t"InstanceProfileArn": "arn:aws:iam::896453262835:instance-profile\/baskinc-role",\n/,
    );
  });

  test('the elastic inference accelerator is compact JSON as text/plain', async () => {
    const response = await get('/latest/meta-data/elastic-inference/associations/eia-bfa21c7904f64a82a21b9f4540169ce1');
    assert.equal(response.headers['content-type'], 'text/plain');
    assert.equal(
      response.text,
      '{"version_2018_04_12":{"elastic-inference-accelerator-id":"eia-bfa21c7904f64a82a21b9f4540169ce1","elastic-inference-accelerator-type":"eia1.medium"}}',
    );
  });

  test('values are plain text without a final newline', async () => {
    const mac = await get('/latest/meta-data/mac');
    assert.equal(mac.text, '0e:49:61:0f:c3:11');
    assert.equal(mac.headers['content-length'], '17');
    assert.equal((await get('/latest/meta-data/instance-id/')).text, 'i-1234567890abcdef0');
    assert.equal(
      (await get('/latest/meta-data/network/interfaces/macs/0e:49:61:0f:c3:11/ipv4-associations/192.0.2.54')).text,
      '192.0.2.54',
    );
    assert.equal((await get('/latest/meta-data/tags/instance/Name')).text, 'test-instance');
    assert.equal(mac.headers.server, undefined, 'AEMM sends no Server: EC2ws');
  });

  test('user-data is the base64-decoded value as application/octet-stream', async () => {
    const response = await get('/latest/user-data');
    assert.equal(response.headers['content-type'], 'application/octet-stream');
    assert.equal(response.text, '1234,john,reboot,true\n');
  });

  test("unknown paths answer AEMM's 404 page through http.Error", async () => {
    for (const path of ['/womp', '/latest/meta-data/nope', '/latest/api', '/latest/meta-data/ce']) {
      const response = await get(path);
      assert.equal(response.status, 404, path);
      assert.equal(response.text, NOT_FOUND_PAGE);
      assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(response.headers['x-content-type-options'], 'nosniff');
    }
  });

  test('HEAD answers the headers without a body; other methods are served like GET', async () => {
    const head = await send(aemm.url, '/latest/meta-data/ami-id', { method: 'HEAD' });
    assert.equal(head.headers['content-length'], '21');
    assert.equal(head.body.length, 0);
    assert.equal((await send(aemm.url, '/latest/meta-data/ami-id', { method: 'POST' })).text, 'ami-0a887e401f7654935');
  });

  test("the AWS JS SDK's //latest/… is served the cleaned path", async () => {
    assert.equal((await get('//latest/meta-data/instance-type')).text, 'm4.xlarge');
  });

  test("a request target Go cannot parse gets Go's bare 400", async () => {
    const response = await get('/latest/meta-data/%zz');
    assert.equal(response.status, 400);
    assert.equal(response.text, '400 Bad Request');
  });
});
