import { isAllowedHost } from '../core/is-allowed-host.js';
import { MAX_PATH_LENGTH } from '../core/max-path-length.js';
import { decodeSegments } from './decode-segments.js';

/** A request target the proxy may forward, or the refusal to answer with. */
export type ProxyTarget = { path: string; absoluteForm: boolean } | { status: number; message: string };

/** Who the proxy is and whom it forwards to, for judging a request. */
export interface ProxyTargetContext {
  upstream: URL;
  /** `host:port` forms that name the proxy itself (an absolute-form target may name it). */
  ownHosts: readonly string[];
  /** The request's Host header. */
  host: string | undefined;
  /** The local address the request arrived on. */
  localAddress: string | undefined;
  /** Host names allowed besides loopback and the bound address (`--allow-host`). */
  allowHosts: readonly string[];
}

// `http://authority` then the raw path: split by hand, because URL parsing would resolve `..` and `%2e%2e` first.
const ABSOLUTE_FORM = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/is;

const BAD_SEGMENTS = 'aemm record: the path has "." or ".." segments or an encoded slash; nothing was forwarded.';

/**
 * Judges a request before anything is forwarded: an origin-form path whose Host names the proxy
 * (loopback, the bound address or `--allow-host`: a DNS-rebound page sends its own name), or an
 * absolute-form `http://` URL naming the upstream or the proxy itself (a client configured with
 * the proxy as its HTTP proxy). Anything else is refused: other hosts (the proxy is no open
 * relay), other schemes, targets over `MAX_PATH_LENGTH`, and paths with `.`/`..` segments (plain
 * or percent-encoded), encoded slashes or backslashes.
 */
export function checkProxyTarget(url: string, context: ProxyTargetContext): ProxyTarget {
  if (url.length > MAX_PATH_LENGTH)
    return {
      status: 414,
      message: `aemm record: the request target is over ${MAX_PATH_LENGTH} characters, which no IMDS path is; nothing was forwarded.`,
    };
  let path = url;
  let absoluteForm = false;
  if (!url.startsWith('/')) {
    const parts = ABSOLUTE_FORM.exec(url);
    if (!parts) return { status: 400, message: `aemm record: "${url}" is not a request target.` };
    if (parts[1]!.toLowerCase() !== 'http') return { status: 400, message: 'aemm record forwards plain http only.' };
    let authority: string;
    try {
      authority = new URL(`http://${parts[2]}/`).host;
    } catch {
      return { status: 400, message: `aemm record: "${url}" is not a request target.` };
    }
    if (authority !== context.upstream.host && !context.ownHosts.includes(authority)) {
      return { status: 403, message: `aemm record forwards only to ${context.upstream.origin}, not to ${authority}.` };
    }
    path = parts[3] === '' ? '/' : parts[3]!;
    if (!path.startsWith('/')) path = `/${path}`;
    absoluteForm = authority === context.upstream.host;
  } else if (!isAllowedHost(context.host, { localAddress: context.localAddress, allowHosts: context.allowHosts })) {
    return {
      status: 403,
      message: `aemm record: Host "${context.host}" does not name this proxy, so it answers nothing (DNS rebinding). Use 127.0.0.1, or allow the name with --allow-host.`,
    };
  }
  if (path.includes('\\') || !decodeSegments(path.replace(/[?#].*$/, ''))) return { status: 400, message: BAD_SEGMENTS };
  return { path, absoluteForm };
}
