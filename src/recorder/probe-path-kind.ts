import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';
import type { PathKind } from './create-recording-store.js';

/** One question to the upstream: is this path (asked without a trailing slash) a leaf or a directory? */
export interface PathKindProbe {
  upstream: URL;
  /** The path without its trailing slash, as the client encoded it. */
  path: string;
  /** The client's request headers (its token included), so the upstream answers as it did the client. */
  headers: IncomingHttpHeaders;
  agent: Agent;
  timeoutMs: number;
}

// Headers that describe the client's own request or connection, not what it asks for.
const DROPPED = ['host', 'content-length', 'transfer-encoding', 'expect'];
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Asks the upstream for a path without its trailing slash: real IMDS redirects a directory (301)
 * and answers a leaf (200), docs/imds-behaviour.md §1. Resolves undefined for any other answer, an error or a
 * timeout (the caller then records nothing rather than guess). Reads no body.
 */
export function probePathKind(probe: PathKindProbe): Promise<PathKind | undefined> {
  const headers: IncomingHttpHeaders = { ...probe.headers };
  for (const name of DROPPED) delete headers[name];
  return new Promise((resolve) => {
    const req = httpRequest({
      host: probe.upstream.hostname.replace(/^\[|\]$/g, ''),
      port: probe.upstream.port === '' ? 80 : Number(probe.upstream.port),
      method: 'GET',
      path: probe.path,
      headers,
      agent: probe.agent,
    });
    const timer = setTimeout(() => req.destroy(), probe.timeoutMs);
    req.on('error', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      const status = res.statusCode ?? 0;
      res.destroy();
      resolve(REDIRECTS.has(status) ? 'directory' : status === 200 ? 'leaf' : undefined);
    });
    req.end();
  });
}
