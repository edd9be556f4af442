import { decodeSegments } from './decode-segments.js';

/** A request target the proxy may forward, or the refusal to answer with. */
export type ProxyTarget = { path: string; absoluteForm: boolean } | { status: number; message: string };

/** Who the proxy is and whom it forwards to, for judging a request target. */
export interface ProxyTargetContext {
  upstream: URL;
  /** `host:port` forms that name the proxy itself (an absolute-form target may name it). */
  ownHosts: readonly string[];
}

/**
 * Judges a request's target before anything is forwarded: an origin-form path, or an
 * absolute-form `http://` URL naming the upstream or the proxy itself (a client configured with
 * the proxy as its HTTP proxy). Anything else is refused: other hosts (the proxy is no open
 * relay), other schemes, and paths with `.`/`..` segments, encoded slashes or backslashes.
 */
export function checkProxyTarget(url: string, context: ProxyTargetContext): ProxyTarget {
  let path = url;
  let absoluteForm = false;
  if (!url.startsWith('/')) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { status: 400, message: `aemm record: "${url}" is not a request target.` };
    }
    if (parsed.protocol !== 'http:') return { status: 400, message: 'aemm record forwards plain http only.' };
    if (parsed.host !== context.upstream.host && !context.ownHosts.includes(parsed.host)) {
      return { status: 403, message: `aemm record forwards only to ${context.upstream.origin}, not to ${parsed.host}.` };
    }
    path = parsed.pathname + parsed.search;
    absoluteForm = parsed.host === context.upstream.host;
  }
  if (path.includes('\\') || !decodeSegments(path.replace(/[?#].*$/, ''))) {
    return { status: 400, message: 'aemm record: the path has "." or ".." segments or an encoded slash; nothing was forwarded.' };
  }
  return { path, absoluteForm };
}
