import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { send } from '../helpers/http.js';
import { BAD_REQUEST_PAGE, NOT_FOUND_PAGE, ROOT_META_LISTING, UNAUTHORIZED_PAGE } from './aemm-golden.js';
import { startAemm, type AemmProcess } from './spawn-ec2-metadata-mock.js';

const TTL = 'x-aws-ec2-metadata-token-ttl-seconds';

for (const flag of ['-I', '--imdsv2']) {
  describe(`ec2-metadata-mock ${flag} (IMDSv2 only), as AEMM's imdsv2 e2e test runs it`, () => {
    let home: string;
    let aemm: AemmProcess;
    before(async () => {
      home = await mkdtemp(join(tmpdir(), 'aemm-home-'));
      // --control lets a test move the replay clock instead of waiting for it.
      aemm = await startAemm([flag, '-n', '127.0.0.1', '-p', '0', '--control'], { env: { HOME: home } });
    });
    after(async () => {
      await aemm.stop();
      await rm(home, { recursive: true, force: true });
    });
    const token = async (ttl: string): Promise<string> =>
      (await send(aemm.url, '/latest/api/token', { method: 'PUT', headers: { [TTL]: ttl } })).text;

    test("a v1 request gets AEMM's UTF-8 401 page", async () => {
      const response = await send(aemm.url, '/latest/meta-data/mac');
      assert.equal(response.status, 401);
      assert.equal(response.text, UNAUTHORIZED_PAGE);
      assert.equal(Buffer.byteLength(response.text), 353);
      assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8');
    });

    test('a token from PUT /latest/api/token opens every path, and the TTL is echoed', async () => {
      const put = await send(aemm.url, '/latest/api/token', { method: 'PUT', headers: { [TTL]: '21600' } });
      assert.equal(put.status, 200);
      assert.equal(put.headers[TTL], '21600');
      assert.equal(put.headers['content-type'], 'text/plain');
      const headers = { 'x-aws-ec2-metadata-token': put.text };
      assert.equal((await send(aemm.url, '/latest/meta-data/mac', { headers })).text, '0e:49:61:0f:c3:11');
      assert.equal((await send(aemm.url, '/latest/meta-data', { headers })).text, ROOT_META_LISTING);
    });

    test("a TTL outside 1..21600 gets AEMM's UTF-8 400 page", async () => {
      for (const ttl of ['0', '21601', 'abc', '']) {
        const response = await send(aemm.url, '/latest/api/token', { method: 'PUT', headers: { [TTL]: ttl } });
        assert.equal(response.status, 400, ttl);
        assert.equal(response.text, BAD_REQUEST_PAGE);
        assert.equal(Buffer.byteLength(response.text), 351);
      }
      assert.equal((await send(aemm.url, '/latest/api/token', { method: 'PUT' })).status, 400);
    });

    test('an expired token is refused once its TTL has passed', async () => {
      const value = await token('1');
      const fresh = await send(aemm.url, '/latest/meta-data/mac', { headers: { 'x-aws-ec2-metadata-token': value } });
      assert.equal(fresh.status, 200, 'valid within its TTL');
      assert.equal(
        (
          await send(aemm.url, '/__aemm/advance', {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-aemm-control': '1' },
            body: '{"by": "1100ms"}',
          })
        ).status,
        200,
      );
      const response = await send(aemm.url, '/latest/meta-data/mac', { headers: { 'x-aws-ec2-metadata-token': value } });
      assert.equal(response.status, 401);
      assert.equal(response.text, UNAUTHORIZED_PAGE);
    });

    test('an invented token is refused', async () => {
      assert.equal((await send(aemm.url, '/latest/meta-data/mac', { headers: { 'x-aws-ec2-metadata-token': 'made-up' } })).status, 401);
    });

    test('AEMM quirks: GET on the token path is an empty 200; sub-listings and 404s need no token', async () => {
      const get = await send(aemm.url, '/latest/api/token');
      assert.equal(get.status, 200);
      assert.equal(get.body.length, 0);
      assert.equal((await send(aemm.url, '/latest/meta-data/iam')).text, 'info\nsecurity-credentials\nsecurity-credentials/');
      assert.equal((await send(aemm.url, '/latest/meta-data/nope')).text, NOT_FOUND_PAGE);
      assert.equal((await send(aemm.url, '/latest/meta-data/spot/instance-action')).status, 401, 'notice routes are protected');
    });
  });
}

describe('ec2-metadata-mock without -I', () => {
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

  test('serves v1 and v2 alike and, like AEMM, ignores a bad token', async () => {
    assert.equal((await send(aemm.url, '/latest/meta-data/mac')).status, 200);
    assert.equal((await send(aemm.url, '/latest/meta-data/mac', { headers: { 'x-aws-ec2-metadata-token': 'made-up' } })).status, 200);
    const put = await send(aemm.url, '/latest/api/token', { method: 'PUT', headers: { [TTL]: '60', 'x-forwarded-for': '10.0.0.1' } });
    assert.equal(put.status, 200, 'AEMM does not refuse proxied token requests');
  });
});
