import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderErrorPage } from '../../src/core/error-pages.js';
import type { Layer } from '../../src/core/layer.js';
import { resolveRequest, type ResolveOptions } from '../../src/core/resolve-request.js';
import { issueToken } from '../../src/core/tokens.js';
import { IMDS_VERSIONS } from '../../src/core/versions.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

const NOW = Date.parse('2026-11-26T10:30:00Z');
const SECRET = 'test-secret';
const cassette = createTinyCassette();

function ask(method: string, path: string, headers: Record<string, string> = {}, options: Partial<ResolveOptions> = {}) {
  const response = resolveRequest(
    { method, path, headers: { host: '127.0.0.1:1338', ...headers } },
    { cassette, now: NOW, secret: SECRET, ...options },
  );
  return { ...response, text: new TextDecoder().decode(response.body) };
}

const validToken = (): string => issueToken(SECRET, NOW + 60_000);

describe('paths and listings', () => {
  const cases: Array<[string, number, string]> = [
    ['/latest/meta-data/ami-id', 200, 'ami-0123'],
    ['/latest/meta-data/ami-id/', 200, 'ami-0123'],
    ['/latest/meta-data/', 200, 'ami-id\niam/\ninstance-id\npublic-keys/\ntags/'],
    ['/latest/', 200, 'dynamic\nmeta-data\nuser-data'],
    ['/latest', 200, 'dynamic\nmeta-data\nuser-data'],
    ['//latest/meta-data/instance-id', 200, 'i-0abc'],
    ['/latest//meta-data///instance-id', 200, 'i-0abc'],
    ['/latest/meta-data/tags/instance/team%2Bops', 200, 'sre'],
    ['/latest/meta-data/instance-id?x=1', 200, 'i-0abc'],
    ['http://169.254.169.254/latest/meta-data/instance-id', 200, 'i-0abc'],
    ['/latest/meta-data/public-keys/', 200, '0=my-key'],
    ['/latest/meta-data/public-keys/0/openssh-key', 200, 'ssh-rsa AAAA my-key'],
    ['/2021-03-23/meta-data/instance-id', 200, 'i-0abc'],
    ['/2009-04-04/meta-data/ami-id', 200, 'ami-old'],
    ['/2021-03-23/meta-data/', 200, 'ami-id\niam/\ninstance-id\npublic-keys/\ntags/'],
    ['/latest/meta-data/nothing-here', 404, renderErrorPage(404)],
    ['/1999-01-01/meta-data/ami-id', 404, renderErrorPage(404)],
    ['/latest/meta-data/iam/security-credentials-extended/', 404, renderErrorPage(404)],
    ['/latest/meta-data/%zz', 400, renderErrorPage(400)],
  ];
  for (const [path, status, body] of cases) {
    test(`GET ${path} answers ${status}`, () => {
      const response = ask('GET', path);
      assert.equal(response.status, status);
      assert.equal(response.text, body);
      assert.equal(response.headers['content-length'], String(response.body.length));
      assert.equal(response.headers.server, 'EC2ws');
    });
  }

  test('GET / lists the versions, oldest first, ending in latest, without a final newline', () => {
    const response = ask('GET', '/');
    assert.equal(response.status, 200);
    assert.equal(response.text, IMDS_VERSIONS.join('\n'));
    assert.ok(response.text.endsWith('\nlatest'));
  });

  test('a directory without its slash answers 301 with an absolute Location from Host', () => {
    const response = ask('GET', '//latest/meta-data/iam');
    assert.equal(response.status, 301);
    assert.equal(response.headers.location, 'http://127.0.0.1:1338/latest/meta-data/iam/');
    assert.equal(response.body.length, 0);
  });

  test('the 301 Location falls back to the IMDS address when no Host was sent', () => {
    const response = resolveRequest({ method: 'GET', path: '/latest/meta-data/iam', headers: {} }, { cassette, now: NOW, secret: SECRET });
    assert.equal(response.headers.location, 'http://169.254.169.254/latest/meta-data/iam/');
  });

  test('JSON documents are text/plain', () => {
    assert.equal(ask('GET', '/latest/dynamic/instance-identity/document').headers['content-type'], 'text/plain');
  });

  test('user-data is octet-stream and byte-exact; with a trailing slash it is text/plain', () => {
    const plain = ask('GET', '/latest/user-data');
    assert.equal(plain.headers['content-type'], 'application/octet-stream');
    assert.deepEqual([...plain.body], [0xff, 0x00, 0x01, 0x02]);
    assert.equal(ask('GET', '/latest/user-data/').headers['content-type'], 'text/plain');
  });

  test('HEAD answers the headers of GET with an empty body', () => {
    const get = ask('GET', '/latest/meta-data/ami-id');
    const head = ask('HEAD', '/latest/meta-data/ami-id');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.deepEqual(head.headers, get.headers);
  });

  for (const method of ['POST', 'DELETE', 'PATCH', 'OPTIONS']) {
    test(`${method} answers 405 with the error page`, () => {
      const response = ask(method, '/latest/meta-data/ami-id');
      assert.equal(response.status, 405);
      assert.equal(response.text, renderErrorPage(405));
      assert.equal(response.headers['content-type'], 'text/html');
    });
  }
});

describe('error pages', () => {
  test('401 and 404 are byte-exact XHTML pages of 343 and 337 bytes', () => {
    assert.equal(ask('GET', '/latest/meta-data/ami-id', {}, { imdsv2: 'required' }).body.length, 343);
    assert.equal(ask('GET', '/latest/meta-data/none').body.length, 337);
    assert.match(
      renderErrorPage(401),
      /^<\?xml version="1.0" encoding="iso-8859-1"\?>\n<!DOCTYPE html PUBLIC "-\/\/W3C\/\/DTD XHTML 1.0 Transitional\/\/EN"\n\t"http/,
    );
  });
});

describe('IMDSv2 tokens', () => {
  const ttl = { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' };

  test('PUT /latest/api/token answers a 56-character token and echoes the TTL', () => {
    const response = ask('PUT', '/latest/api/token', ttl);
    assert.equal(response.status, 200);
    assert.equal(response.text.length, 56);
    assert.equal(response.headers['x-aws-ec2-metadata-token-ttl-seconds'], '21600');
    assert.equal(response.headers['content-type'], 'text/plain');
    assert.equal(ask('GET', '/latest/meta-data/ami-id', { 'x-aws-ec2-metadata-token': response.text }).status, 200);
  });

  for (const value of [undefined, '', '0', '21601', '-5', 'abc', '1.5', '9999999']) {
    test(`a TTL of ${JSON.stringify(value)} answers 400`, () => {
      const response = ask('PUT', '/latest/api/token', value === undefined ? {} : { 'x-aws-ec2-metadata-token-ttl-seconds': value });
      assert.equal(response.status, 400);
      assert.equal(response.text, renderErrorPage(400));
    });
  }

  test('TTLs 1 and 21600 are accepted', () => {
    assert.equal(ask('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': '1' }).status, 200);
    assert.equal(ask('PUT', '/latest/api/token', ttl).status, 200);
  });

  const refused: Array<[string, Record<string, string>]> = [
    ['/latest/api/token', { ...ttl, 'x-forwarded-for': '10.0.0.1' }],
    ['/2021-03-23/api/token', ttl],
    ['/latest/api/token/', ttl],
    ['/latest/meta-data/', ttl],
  ];
  for (const [path, headers] of refused) {
    test(`PUT ${path}${headers['x-forwarded-for'] ? ' with X-Forwarded-For' : ''} answers 403 with an empty text/plain body`, () => {
      const response = ask('PUT', path, headers);
      assert.equal(response.status, 403);
      assert.equal(response.body.length, 0);
      assert.equal(response.headers['content-type'], 'text/plain');
    });
  }

  test('GET on the token path answers 405', () => {
    assert.equal(ask('GET', '/latest/api/token').status, 405);
  });

  test('tokens from the same millisecond differ when the nonces do', () => {
    const a = ask('PUT', '/latest/api/token', ttl, { nonce: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) }).text;
    const b = ask('PUT', '/latest/api/token', ttl, { nonce: new Uint8Array([8, 7, 6, 5, 4, 3, 2, 1]) }).text;
    assert.notEqual(a, b);
  });

  const badTokens: Array<[string, () => string]> = [
    ['garbage', () => 'not-a-token'],
    ['expired', () => issueToken(SECRET, NOW - 1)],
    ['signed with another secret', () => issueToken('other-secret', NOW + 60_000)],
    [
      'tampered',
      () => {
        const t = validToken();
        return (t[5] === 'A' ? 'B' : 'A') + t.slice(1);
      },
    ],
  ];
  for (const mode of ['optional', 'required'] as const) {
    for (const [name, make] of badTokens) {
      test(`a ${name} token answers 401 when tokens are ${mode}`, () => {
        const response = ask('GET', '/latest/meta-data/ami-id', { 'x-aws-ec2-metadata-token': make() }, { imdsv2: mode });
        assert.equal(response.status, 401);
        assert.equal(response.text, renderErrorPage(401));
      });
    }
  }

  test('a token expires after its TTL', () => {
    const token = ask('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': '5' }).text;
    const at = (now: number) => ask('GET', '/latest/meta-data/ami-id', { 'x-aws-ec2-metadata-token': token }, { now }).status;
    assert.equal(at(NOW + 4_999), 200);
    assert.equal(at(NOW + 5_000), 401);
  });

  for (const path of [
    '/',
    '/latest/',
    '/latest/meta-data/',
    '/latest/meta-data/ami-id',
    '/latest/meta-data/iam',
    '/latest/meta-data/missing',
  ]) {
    test(`with tokens required, GET ${path} without a token answers 401 and with one does not`, () => {
      assert.equal(ask('GET', path, {}, { imdsv2: 'required' }).status, 401);
      assert.notEqual(ask('GET', path, { 'x-aws-ec2-metadata-token': validToken() }, { imdsv2: 'required' }).status, 401);
    });
  }
});

describe('layers', () => {
  const layer = (name: string, entries: Array<[string, string | null]>): Layer => {
    const patch = new Map(
      entries.map(([key, body]) => [key, body === null ? null : { status: 200, headers: { 'content-type': 'text/plain' }, body }]),
    );
    return { name, patch: () => patch };
  };

  test('an added leaf in a new directory appears in every listing above it', () => {
    const layers = [layer('spot', [['/latest/meta-data/spot/instance-action', '{"action": "stop"}']])];
    assert.equal(ask('GET', '/latest/meta-data/', {}, { layers }).text, 'ami-id\niam/\ninstance-id\npublic-keys/\nspot/\ntags/');
    assert.equal(ask('GET', '/latest/meta-data/spot/', {}, { layers }).text, 'instance-action');
    assert.equal(ask('GET', '/latest/meta-data/spot', {}, { layers }).status, 301);
    assert.equal(ask('GET', '/2021-03-23/meta-data/spot/instance-action', {}, { layers }).text, '{"action": "stop"}');
  });

  test('a hidden directory answers 404 and leaves every listing', () => {
    const layers = [layer('tags-off', [['/latest/meta-data/tags/', null]])];
    assert.equal(ask('GET', '/latest/meta-data/', {}, { layers }).text, 'ami-id\niam/\ninstance-id\npublic-keys/');
    assert.equal(ask('GET', '/latest/meta-data/tags/', {}, { layers }).status, 404);
    assert.equal(ask('GET', '/latest/meta-data/tags/instance/Name', {}, { layers }).status, 404);
  });

  test('a hidden leaf leaves its listing', () => {
    const layers = [layer('no-ami', [['/latest/meta-data/ami-id', null]])];
    assert.equal(ask('GET', '/latest/meta-data/', {}, { layers }).text, 'iam/\ninstance-id\npublic-keys/\ntags/');
  });

  test('later layers win', () => {
    const layers = [layer('a', [['/latest/meta-data/ami-id', 'first']]), layer('b', [['/latest/meta-data/ami-id', 'second']])];
    assert.equal(ask('GET', '/latest/meta-data/ami-id', {}, { layers }).text, 'second');
  });

  test('a leaf added under a directory a later layer hides stays hidden', () => {
    const layers = [layer('a', [['/latest/meta-data/tags/instance/Extra', 'x']]), layer('b', [['/latest/meta-data/tags/', null]])];
    assert.equal(ask('GET', '/latest/meta-data/tags/instance/Extra', {}, { layers }).status, 404);
  });
});

describe('listings never name a child that answers 404', () => {
  test('a recorded listing drops children the cassette does not have', () => {
    const partial = createTinyCassette();
    delete partial.entries['/latest/meta-data/instance-id'];
    const response = resolveRequest(
      { method: 'GET', path: '/latest/meta-data/', headers: {} },
      { cassette: partial, now: NOW, secret: SECRET },
    );
    assert.equal(new TextDecoder().decode(response.body), 'ami-id\niam/\npublic-keys/\ntags/');
  });

  test('a directory without a recorded listing gets one from its children', () => {
    const partial = createTinyCassette();
    delete partial.entries['/latest/meta-data/iam/'];
    const response = resolveRequest(
      { method: 'GET', path: '/latest/meta-data/iam/', headers: {} },
      { cassette: partial, now: NOW, secret: SECRET },
    );
    assert.equal(new TextDecoder().decode(response.body), 'info\nsecurity-credentials/');
  });

  test('listings made from children and the versions served do not depend on the order of the keys', () => {
    const entry = (body: string) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body });
    // Keys jump between directories, depths and versions, as a hand-edited cassette's may.
    const mixed = createTinyCassette();
    mixed.entries['/latest/meta-data/bulk/a/x'] = entry('ax');
    mixed.entries['/latest/meta-data/bulk/a/z/deep'] = entry('azd');
    mixed.entries['/latest/meta-data/bulk/b/y'] = entry('by');
    mixed.entries['/2030-01-01/meta-data/bulk/a/w'] = entry('aw');
    mixed.entries['/latest/meta-data/bulk/a/q'] = entry('aq');
    mixed.entries['/latest/meta-data/bulk/b/'] = { status: 404, headers: {}, body: '' };
    mixed.entries['/latest/meta-data/bulk/b/v'] = entry('bv');
    const get = (path: string) => {
      const response = resolveRequest({ method: 'GET', path, headers: {} }, { cassette: mixed, now: NOW, secret: SECRET });
      return [response.status, new TextDecoder().decode(response.body)];
    };
    assert.deepEqual(get('/latest/meta-data/bulk/'), [200, 'a/\nb/']);
    assert.deepEqual(get('/latest/meta-data/bulk/a/'), [200, 'q\nx\nz/']);
    assert.deepEqual(get('/latest/meta-data/bulk/a/z/'), [200, 'deep']);
    assert.deepEqual(get('/latest/meta-data/bulk/b/'), [200, 'v\ny']);
    assert.deepEqual(get('/2030-01-01/meta-data/bulk/a/'), [200, 'q\nw\nx\nz/']);
    assert.deepEqual(get('/2030-01-01/meta-data/bulk/a/w'), [200, 'aw']);
  });
});

describe('dated prefixes with recorded dated entries', () => {
  // What `aemm record --proxy` leaves when a client (cloud-init) reads /2021-03-23/…: a few dated keys.
  const dated = createTinyCassette();
  dated.entries['/2021-03-23/meta-data/'] = { status: 200, headers: { 'content-type': 'text/plain' }, body: 'ami-id\ninstance-id' };
  dated.entries['/2021-03-23/meta-data/instance-id'] = { status: 200, headers: { 'content-type': 'text/plain' }, body: 'i-dated' };
  const ask2 = (path: string, layers: Layer[] = []) => {
    const response = resolveRequest({ method: 'GET', path, headers: {} }, { cassette: dated, layers, now: NOW, secret: SECRET });
    return { status: response.status, text: new TextDecoder().decode(response.body) };
  };

  test('the dated listing names its children, falling back to latest ones', () => {
    assert.equal(ask2('/2021-03-23/meta-data/').text, 'ami-id\ninstance-id');
    assert.equal(ask2('/2021-03-23/meta-data/instance-id').text, 'i-dated');
    assert.equal(ask2('/2021-03-23/meta-data/ami-id').text, 'ami-0123');
    assert.equal(ask2('/2021-03-23/').text, 'dynamic\nmeta-data\nuser-data');
    assert.equal(ask2('/latest/meta-data/instance-id').text, 'i-0abc');
  });

  test('layers apply under the dated prefix too', () => {
    const hideAmi = new Map([['/latest/meta-data/ami-id', null]]);
    const addSpot = new Map([['/latest/meta-data/spot/instance-action', { status: 200, headers: {}, body: '{}' }]]);
    const layers: Layer[] = [
      { name: 'a', patch: () => hideAmi },
      { name: 'b', patch: () => addSpot },
    ];
    assert.equal(ask2('/2021-03-23/meta-data/', layers).text, 'instance-id\nspot/');
    assert.equal(ask2('/2021-03-23/meta-data/ami-id', layers).status, 404);
    assert.equal(ask2('/2021-03-23/meta-data/spot/instance-action', layers).status, 200);
  });
});
