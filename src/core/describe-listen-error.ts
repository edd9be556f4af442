import { UsageError } from './errors.js';

/**
 * The one-line error for a server that cannot listen (a system error code from `listen`), or
 * undefined for codes that are not the user's to fix. `addresses` is the hint for a bad address.
 */
export function describeListenError(
  code: string | undefined,
  port: number,
  hostname: string,
  addresses = '127.0.0.1, ::1, 0.0.0.0 or an address of this machine',
): UsageError | undefined {
  if (code === 'EADDRINUSE') {
    return new UsageError(
      `Port ${port} on ${hostname} is already in use. Stop the other process or choose another port (0 picks a free one).`,
    );
  }
  if (code === 'EACCES')
    return new UsageError(`Not allowed to listen on ${hostname}:${port}. Use a port above 1023, or run with the needed privileges.`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND')
    return new UsageError(`Cannot listen on "${hostname}": no such local address. Use ${addresses}.`);
  return undefined;
}
