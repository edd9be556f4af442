import type { TokenSession } from './create-token-session.js';
import type { UpstreamClient, UpstreamResponse } from './create-upstream-client.js';

/** The request path for a cassette key: each segment percent-encoded except `:` (MACs), as cloud-init does. */
function toRequestPath(key: string): string {
  return key
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/%3A/gi, ':'))
    .join('/');
}

/**
 * GETs one cassette key from the upstream with the session's token; on a 401 (the token expired
 * or was revoked) it renews the token once and retries, as real clients do (docs/imds-behaviour.md §6).
 */
export async function fetchImdsPath(client: UpstreamClient, session: TokenSession, key: string): Promise<UpstreamResponse> {
  let ticket = session.current();
  const response = await client.request('GET', toRequestPath(key), ticket.headers);
  if (response.status !== 401) return response;
  ticket = await session.renew(ticket);
  return client.request('GET', toRequestPath(key), ticket.headers);
}
