import net from 'node:net';
import { isLoopback } from '../../src/core/is-loopback.js';

/** What `guardNetwork` refused while it was installed. */
export interface NetworkGuard {
  /** `host:port` of every non-loopback connection that was attempted and refused. */
  refused: string[];
  restore(): void;
}

/**
 * Refuses every real TCP connection that is not to loopback, and records it, so an msw test fails
 * (instead of reaching 169.254.169.254) if something slips past the interception. msw's own mocked
 * sockets never connect, so they are not affected. `allow` decides which hosts may be reached.
 */
export function guardNetwork(allow: (host: string) => boolean = isLoopback): NetworkGuard {
  const original = net.Socket.prototype.connect;
  const refused: string[] = [];
  const guarded = function (this: net.Socket, ...args: unknown[]): net.Socket {
    // net.connect passes [options, callback] as one normalized array; sockets also take (port, host).
    const first: unknown = Array.isArray(args[0]) ? args[0][0] : args[0];
    const options = (typeof first === 'object' && first !== null ? first : { port: first, host: args[1] }) as {
      host?: unknown;
      port?: unknown;
      path?: unknown;
    };
    // net treats a truthy `path` as a Unix socket; node:http nulls it for TCP.
    if (!options.path) {
      const host = typeof options.host === 'string' ? options.host.replace(/^\[|\]$/g, '') : 'localhost';
      if (!allow(host)) {
        refused.push(`${host}:${String(options.port)}`);
        process.nextTick(() => this.destroy(new Error(`network guard: refused a real connection to ${host}:${String(options.port)}`)));
        return this;
      }
    }
    return (original as (...rest: unknown[]) => net.Socket).apply(this, args);
  };
  net.Socket.prototype.connect = guarded as typeof original;
  return {
    refused,
    restore() {
      net.Socket.prototype.connect = original;
    },
  };
}
