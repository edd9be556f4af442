import { parseHost } from './parse-host.js';

/** Which names a server answers to, besides loopback. */
export interface HostPolicy {
  /** The local address the request arrived on (the bound address, or the interface behind 0.0.0.0). */
  localAddress?: string;
  /** Extra host names or addresses the user allowed (`--allow-host`). */
  allowHosts?: readonly string[];
}

function isLoopbackName(name: string): boolean {
  // RFC 6761: `localhost` and names under it resolve to loopback, and browsers never ask DNS for them.
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (name === '::1') return true;
  const v4 = name.startsWith('::ffff:') ? name.slice(7) : name;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

function nameOf(host: string): string | undefined {
  return parseHost(host.includes(':') && !host.startsWith('[') && host.indexOf(':') !== host.lastIndexOf(':') ? `[${host}]` : host)?.name;
}

/**
 * Whether a request's `Host` names this server: a loopback name or address, the address the
 * request arrived on, or a name the user allowed. A page that rebinds its own DNS name to
 * 127.0.0.1 still sends its own name, so it is refused (DNS rebinding); so is a malformed Host.
 * A request without a Host (HTTP/1.0) is no browser's and is allowed.
 */
export function isAllowedHost(host: string | undefined, policy: HostPolicy = {}): boolean {
  if (host === undefined) return true;
  const name = parseHost(host)?.name;
  if (name === undefined) return false;
  if (isLoopbackName(name)) return true;
  const local = policy.localAddress === undefined ? undefined : nameOf(policy.localAddress);
  if (local !== undefined && (name === local || name === local.replace(/^::ffff:/, ''))) return true;
  return (policy.allowHosts ?? []).some((allowed) => nameOf(allowed) === name);
}
