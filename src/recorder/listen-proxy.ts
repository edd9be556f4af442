import type { Server } from 'node:http';
import { UsageError } from '../core/errors.js';

/** Starts `server` listening; a port in use, a privileged port or a foreign address is a `UsageError` naming the fix. */
export async function listenProxy(server: Server, port: number, hostname: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new UsageError(
            `Port ${port} on ${hostname} is already in use. Stop the other process or choose another with --port (0 picks a free one).`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(new UsageError(`Not allowed to listen on ${hostname}:${port}. Use a port above 1023, or run with the needed privileges.`));
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
        reject(new UsageError(`Cannot listen on "${hostname}": no such local address. Use 127.0.0.1 or ::1.`));
      } else {
        reject(error);
      }
    };
    server.once('error', onError);
    server.listen(port, hostname, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
