import type { Agent, IncomingHttpHeaders } from 'node:http';
import type { UpstreamResponse } from './create-upstream-client.js';
import { sendUpstreamRequest } from './send-upstream-request.js';

/** One request for the upstream's version list (`GET /`). */
export interface VersionListRequest {
  upstream: URL;
  /** The client's request headers (its token included), so the upstream answers as it did the client. */
  headers: IncomingHttpHeaders;
  agent: Agent;
  timeoutMs: number;
}

// Headers that describe the client's own request or connection, not what it asks for.
const DROPPED = ['host', 'content-length', 'transfer-encoding', 'expect'];
// A version list is a few hundred bytes.
const MAX_BYTES = 64 * 1024;

/**
 * Asks the upstream for `/`, the list of API versions it serves (docs/imds-behaviour.md §1), which no client
 * of the proxy asks for itself. Resolves undefined on an error, a timeout or a body over 64 KiB.
 */
export function fetchVersionList(request: VersionListRequest): Promise<UpstreamResponse | undefined> {
  const headers: IncomingHttpHeaders = { ...request.headers };
  for (const name of DROPPED) delete headers[name];
  return sendUpstreamRequest({
    upstream: request.upstream,
    method: 'GET',
    path: '/',
    headers,
    agent: request.agent,
    timeoutMs: request.timeoutMs,
    maxBodyBytes: MAX_BYTES,
  }).catch(() => undefined);
}
