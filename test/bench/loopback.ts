// Loopback helpers the start-up and memory benches share: a free port, and one GET's status.
import http, { createServer } from 'node:http';

/** A port free on 127.0.0.1 right now, for a server process started next. */
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The status of one GET of `path` on 127.0.0.1:`port` over a fresh connection, or undefined when nothing answers. */
export function getStatus(port: number, path: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on('error', () => resolve(undefined));
  });
}
