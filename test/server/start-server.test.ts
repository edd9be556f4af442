import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startServer, type ImdsServer, type RequestLog } from '../../src/server/start-server.js';
import { UsageError } from '../../src/core/errors.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';
import { send } from '../helpers/http.js';

describe('replay server over real HTTP', () => {
  let server: ImdsServer;
  const logs: RequestLog[] = [];
  before(async () => {
    server = await startServer({ cassette: createTinyCassette(), port: 0, onRequest: (log) => logs.push(log) });
  });
  after(() => server.close());

  test('binds 127.0.0.1 on the port it reports', () => {
    assert.equal(server.hostname, '127.0.0.1');
    assert.ok(server.port > 0);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
  });

  test('serves a leaf with IMDS headers', async () => {
    const response = await send(server.url, '/latest/meta-data/instance-id');
    assert.equal(response.status, 200);
    assert.equal(response.text, 'i-0abc');
    assert.equal(response.headers['server'], 'EC2ws');
    assert.equal(response.headers['content-type'], 'text/plain');
    assert.equal(response.headers['content-length'], '6');
  });

  test('answers 301 with a Location on this server', async () => {
    const response = await send(server.url, '/latest/meta-data/iam');
    assert.equal(response.status, 301);
    assert.equal(response.headers.location, `${server.url}/latest/meta-data/iam/`);
  });

  test('HEAD sends Content-Length and no body', async () => {
    const response = await send(server.url, '/latest/meta-data/ami-id', { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-length'], '8');
    assert.equal(response.body.length, 0);
  });

  test('credentials are fresh: LastUpdated within the hour, Expiration hours ahead', async () => {
    const response = await send(server.url, '/latest/meta-data/iam/security-credentials/web-role');
    const creds = JSON.parse(response.text) as { LastUpdated: string; Expiration: string };
    const now = Date.now();
    assert.ok(now - Date.parse(creds.LastUpdated) < 3_600_000 && now >= Date.parse(creds.LastUpdated));
    assert.ok(Date.parse(creds.Expiration) - now > 5 * 3_600_000);
    assert.match(response.text, /"Expiration" : "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/);
  });

  test('logs each request with method, path, status and v1/v2', async () => {
    logs.length = 0;
    const token = await send(server.url, '/latest/api/token', { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } });
    await send(server.url, '/latest/meta-data/ami-id', { headers: { 'x-aws-ec2-metadata-token': token.text } });
    await send(server.url, '/nope');
    assert.deepEqual(
      logs.map(({ method, path, status, version }) => [method, path, status, version]),
      [
        ['PUT', '/latest/api/token', 200, 'v2'],
        ['GET', '/latest/meta-data/ami-id', 200, 'v2'],
        ['GET', '/nope', 404, 'v1'],
      ],
    );
    assert.ok(logs.every((log) => log.ms >= 0 && log.clientAddress === '127.0.0.1'));
    assert.ok(
      logs.some((log) => log.ms > 0),
      'requests are timed by default',
    );
  });

  test('with timeRequests off the log still comes, without durations', async () => {
    const seen: RequestLog[] = [];
    const untimed = await startServer({ cassette: createTinyCassette(), port: 0, timeRequests: false, onRequest: (log) => seen.push(log) });
    try {
      await send(untimed.url, '/latest/meta-data/ami-id');
      await send(untimed.url, '/nope');
      assert.deepEqual(
        seen.map(({ path, status, ms }) => [path, status, ms]),
        [
          ['/latest/meta-data/ami-id', 200, 0],
          ['/nope', 404, 0],
        ],
      );
    } finally {
      await untimed.close();
    }
  });

  test('a malformed request line gets 400 and the server keeps serving', async () => {
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () => socket.write('BROKEN\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
    });
    assert.match(raw, /^HTTP\/1\.1 400 Bad Request/);
    assert.equal((await send(server.url, '/latest/meta-data/ami-id')).status, 200);
  });

  test('oversized headers get 431 and the server keeps serving', async () => {
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () =>
        socket.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`),
      );
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
    });
    assert.match(raw, /^HTTP\/1\.1 431/);
    assert.equal((await send(server.url, '/latest/meta-data/ami-id')).status, 200);
  });

  test('a request body on a token PUT is read and ignored, and the connection stays usable', async () => {
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(server.port, '127.0.0.1', () => {
        socket.write(
          'PUT /latest/api/token HTTP/1.1\r\nHost: x\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nContent-Length: 11\r\n\r\nhello world',
        );
        socket.write('GET /latest/meta-data/ami-id HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      });
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
    });
    const answers = raw.split(/(?=HTTP\/1\.1 )/);
    assert.equal(answers.length, 2, raw);
    assert.match(answers[0]!, /^HTTP\/1\.1 200 OK/);
    assert.match(answers[1]!, /^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nami-0123$/);
  });
});

describe('slow clients', () => {
  test('a client stalling in its headers gets 408 and loses its connection; others are served meanwhile', async () => {
    const server = await startServer({ cassette: createTinyCassette(), port: 0, timeouts: { headersMs: 300 } });
    try {
      const started = performance.now();
      const stalled = new Promise<{ data: string; ms: number }>((resolve) => {
        const socket = connect(server.port, '127.0.0.1', () => socket.write('GET /latest/meta-data/ami-id HTTP/1.1\r\nHost: x\r\n'));
        let data = '';
        socket.on('data', (chunk) => (data += chunk.toString()));
        socket.on('close', () => resolve({ data, ms: performance.now() - started }));
      });
      assert.equal((await send(server.url, '/latest/meta-data/instance-id')).text, 'i-0abc');
      const { data, ms } = await stalled;
      assert.match(data, /^HTTP\/1\.1 408/);
      // Checked every second: cut between the timeout and the timeout plus one check.
      assert.ok(ms >= 300 && ms < 2500, `closed after ${ms} ms`);
    } finally {
      await server.close();
    }
  });
});

describe('server start-up errors', () => {
  test('a port in use is a UsageError that names the port and the fix', async () => {
    const first = await startServer({ cassette: createTinyCassette(), port: 0 });
    try {
      await assert.rejects(startServer({ cassette: createTinyCassette(), port: first.port }), (error: Error) => {
        assert.ok(error instanceof UsageError);
        assert.match(error.message, new RegExp(`Port ${first.port} on 127.0.0.1 is already in use.*choose another port`));
        return true;
      });
    } finally {
      await first.close();
    }
  });

  test('a bad port number is refused before listening', async () => {
    await assert.rejects(startServer({ cassette: createTinyCassette(), port: 70000 }), /not a TCP port/);
  });

  test('IMDSv2 required: no token → 401, token → 200', async () => {
    const server = await startServer({ cassette: createTinyCassette(), port: 0, imdsv2: true });
    try {
      assert.equal((await send(server.url, '/latest/meta-data/ami-id')).status, 401);
      const token = await send(server.url, '/latest/api/token', {
        method: 'PUT',
        headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
      });
      assert.equal(
        (await send(server.url, '/latest/meta-data/ami-id', { headers: { 'x-aws-ec2-metadata-token': token.text } })).status,
        200,
      );
    } finally {
      await server.close();
    }
  });

  test('listens on ::1 and reports a bracketed URL', async () => {
    const server = await startServer({ cassette: createTinyCassette(), port: 0, hostname: '::1' });
    try {
      assert.equal(server.url, `http://[::1]:${server.port}`);
      assert.equal((await send(server.url, '/latest/meta-data/ami-id')).text, 'ami-0123');
    } finally {
      await server.close();
    }
  });
});
