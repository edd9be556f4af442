import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ImdsRequest, ImdsResponse } from '../core/resolve-request.js';

/** The core's plain request from a node:http request; the request itself is left as it came. */
export function toImdsRequest(req: IncomingMessage): ImdsRequest {
  // node:http already lower-cases names and joins repeated headers with ", " (all but set-cookie,
  // which no IMDS request carries), so its object is used as is rather than copied per request.
  let headers = req.headers as Record<string, string | undefined>;
  // An HTTP/1.0 client may send no Host; 301 Locations then name this server, not real IMDS.
  if (headers.host === undefined && req.socket.localAddress) {
    const local = req.socket.localAddress;
    headers = { ...headers, host: `${local.includes(':') ? `[${local}]` : local}:${req.socket.localPort}` };
  }
  return { method: req.method ?? 'GET', path: req.url ?? '/', headers, clientAddress: req.socket.remoteAddress };
}

// node:http wraps a body that is not a Buffer in a new Buffer on every write (300–500 ns here,
// more than a memo hit costs), and the core's bodies are plain Uint8Arrays (it runs in browsers).
// Remembered answers hand out the same body every time, so each is wrapped once, kept while it lives.
const buffers = new WeakMap<Uint8Array, Buffer>();

function toBuffer(body: Uint8Array): Buffer {
  if (Buffer.isBuffer(body)) return body;
  let buffer = buffers.get(body);
  if (buffer === undefined) buffers.set(body, (buffer = Buffer.from(body.buffer, body.byteOffset, body.byteLength)));
  return buffer;
}

/** Writes the core's plain response to a node:http response. */
export function writeImdsResponse(res: ServerResponse, response: ImdsResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body.length > 0 ? toBuffer(response.body) : undefined);
}
