import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One canned answer. */
export interface CannedAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/** A loopback stand-in for IMDS that answers from a table, written without our engine. */
export interface TableUpstream {
  url: string;
  /** Request targets as they arrived, with their headers. */
  hits: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>;
  close(): Promise<void>;
}

/**
 * Answers `PUT /latest/api/token` with a token, each path in `table` with its answer (a function
 * of the path for generated trees), and anything else with 404.
 */
export async function startTableUpstream(
  table: Record<string, CannedAnswer> | ((path: string) => CannedAnswer | undefined),
): Promise<TableUpstream> {
  const hits: TableUpstream['hits'] = [];
  const sockets = new Set<Socket>();
  const lookup = typeof table === 'function' ? table : (path: string) => table[path];
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.push({ method: req.method ?? 'GET', path, headers: req.headers });
    req.resume();
    if (req.method === 'PUT' && path === '/latest/api/token') {
      res.writeHead(200, {
        'content-type': 'text/plain',
        'x-aws-ec2-metadata-token-ttl-seconds': String(req.headers['x-aws-ec2-metadata-token-ttl-seconds'] ?? '21600'),
      });
      res.end('token-from-the-table');
      return;
    }
    const answer = lookup(path) ?? { status: 404, body: 'not found' };
    const body = Buffer.from(answer.body ?? '');
    res.writeHead(answer.status, { 'content-type': 'text/plain', 'content-length': String(body.length), ...answer.headers });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
