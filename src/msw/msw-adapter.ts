import { HttpResponse } from 'msw';
import type { ImdsRequest, ImdsResponse } from '../core/resolve-request.js';
import type { ImdsTarget } from './match-imds-request.js';

/** The core's plain request from an intercepted fetch `Request` and where it was going. */
export function toImdsRequest(request: Request, target: ImdsTarget): ImdsRequest {
  const headers: Record<string, string> = {};
  // Headers yields lower-case names and joins repeated ones with ", ", as the node adapter does.
  request.headers.forEach((value, name) => {
    headers[name] = value;
  });
  // Fetch requests carry no Host header; the core builds 301 Locations from it.
  headers.host = target.host;
  return { method: request.method, path: target.path, headers };
}

/** An msw response from the core's plain response; HEAD and empty bodies go out as no body. */
export function toHttpResponse(response: ImdsResponse): HttpResponse<Uint8Array> {
  const body = response.body.length > 0 ? response.body : null;
  return new HttpResponse(body, { status: response.status, headers: response.headers });
}
