import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ImdsRequest, ImdsResponse } from '../core/resolve-request.js';

/** The core's plain request from a node:http request. */
export function toImdsRequest(req: IncomingMessage): ImdsRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { method: req.method ?? 'GET', path: req.url ?? '/', headers, clientAddress: req.socket.remoteAddress };
}

/** Writes the core's plain response to a node:http response. */
export function writeImdsResponse(res: ServerResponse, response: ImdsResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body.length > 0 ? response.body : undefined);
}
