import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, test } from 'node:test';
import { toImdsRequest } from '../../src/server/node-adapter.js';

describe('the node converter', () => {
  test("a request without Host gets this server's address in the core request, and the node request is left as it came", () => {
    const headers = { accept: '*/*' };
    const req = {
      method: 'GET',
      url: '/latest/meta-data/',
      headers,
      socket: { localAddress: '::1', localPort: 1338, remoteAddress: '::1' },
    } as unknown as IncomingMessage;
    const request = toImdsRequest(req);
    assert.equal(request.headers.host, '[::1]:1338');
    assert.deepEqual(req.headers, { accept: '*/*' });
    assert.equal(req.headers, headers);
  });

  test('a request with Host passes its own headers object on, without a copy', () => {
    const headers = { host: '169.254.169.254' };
    const req = {
      method: 'PUT',
      url: '/latest/api/token',
      headers,
      socket: { localAddress: '127.0.0.1', localPort: 80, remoteAddress: '127.0.0.1' },
    } as unknown as IncomingMessage;
    const request = toImdsRequest(req);
    assert.equal(request.headers, headers);
    assert.equal(request.clientAddress, '127.0.0.1');
  });
});
