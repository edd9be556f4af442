import { createServer as createHttpServer, request, type Server as HttpServer } from 'node:http';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** A TCP forwarder on a fixed loopback port that can be taken down and brought back, like a queue going away. */
export interface Outage {
  port: number;
  /** Starts forwarding to the target port. */
  up(): Promise<void>;
  /** Stops listening and cuts every open connection: clients see refused connections. */
  down(): Promise<void>;
  connections: number;
}

/** A port that refuses connections until `up()`, then forwards every connection to `targetPort`. */
export function createOutage(port: number, targetPort: number): Outage {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const outage: Outage = {
    port,
    connections: 0,
    up() {
      return new Promise((resolve, reject) => {
        server = createServer((client) => {
          outage.connections++;
          const upstream = createConnection(targetPort, '127.0.0.1');
          sockets.add(client).add(upstream);
          client.pipe(upstream).pipe(client);
          const cleanup = (): void => {
            client.destroy();
            upstream.destroy();
            sockets.delete(client);
            sockets.delete(upstream);
          };
          client.on('error', cleanup).on('close', cleanup);
          upstream.on('error', cleanup).on('close', cleanup);
        });
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    },
    down() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      const closing = server;
      server = undefined;
      return new Promise((resolve) => (closing ? closing.close(() => resolve()) : resolve()));
    },
  };
  return outage;
}

/** An HTTP proxy in front of an SQS server that answers the first `failures` requests with a throttling error. */
export interface ThrottlingProxy {
  endpoint: string;
  /** Requests answered with an error so far. */
  refused: number;
  forwarded: number;
  close(): Promise<void>;
}

/** Starts the proxy on a free loopback port; after `failures` errors it forwards everything to `target`. */
export function startThrottlingProxy(target: string, failures: number): Promise<ThrottlingProxy> {
  const upstream = new URL(target);
  const server: HttpServer = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (proxy.refused < failures) {
        proxy.refused++;
        // SQS's JSON protocol error for throttling; the alternating 503 stands for a failing front end.
        const throttle = proxy.refused % 2 === 1;
        const body = JSON.stringify(
          throttle
            ? { __type: 'com.amazonaws.sqs#RequestThrottled', message: 'Rate exceeded' }
            : { __type: 'com.amazonaws.sqs#ServiceUnavailable', message: 'Service unavailable' },
        );
        res
          .writeHead(throttle ? 400 : 503, {
            'content-type': 'application/x-amz-json-1.0',
            'x-amzn-query-error': `${throttle ? 'RequestThrottled' : 'ServiceUnavailable'};Sender`,
          })
          .end(body);
        return;
      }
      proxy.forwarded++;
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      forward.end(Buffer.concat(chunks));
    });
  });
  const proxy: ThrottlingProxy = {
    endpoint: '',
    refused: 0,
    forwarded: 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      proxy.endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      resolve(proxy);
    }),
  );
}
