/** A `Host` header (or an `--allow-host` value) read as a name and an optional port. */
export interface HostParts {
  /** Lower case, without brackets or a final dot: `localhost`, `127.0.0.1`, `::1`, `imds.test`. */
  name: string;
  port?: number;
}

// RFC 3986 authority without userinfo: a reg-name or IPv4 address, or an IPv6 address in brackets, then an optional port.
const HOST = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9_.-]+))(?::(\d{1,5}))?$/;

/**
 * Parses a Host header strictly; undefined for anything else (userinfo, paths, `#`, spaces,
 * control characters), so a Host never smuggles another site into a Location or past a check.
 */
export function parseHost(host: string): HostParts | undefined {
  if (host.length > 255) return undefined;
  const match = HOST.exec(host.trim().toLowerCase());
  if (!match) return undefined;
  const name = (match[1] ?? match[2]!).replace(/\.$/, '');
  if (name === '') return undefined;
  const port = match[3] === undefined ? undefined : Number(match[3]);
  if (port !== undefined && port > 65535) return undefined;
  return port === undefined ? { name } : { name, port };
}
