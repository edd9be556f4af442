import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Cassette } from '../../src/core/cassette.js';
import { createReplayEngine, type ReplayEngine } from '../../src/core/replay-engine.js';
import { toImdsRequest, writeImdsResponse } from '../../src/server/node-adapter.js';

/** One request as the fake upstream received it. */
export interface UpstreamHit {
  /** 1-based arrival number. */
  n: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** performance.now() at arrival. */
  at: number;
}

/** What to do instead of answering from the cassette. */
export type Intercept = 'drop' | 'hang' | { status: number; headers?: Record<string, string>; body?: string } | undefined;

/** Misbehaviours of the fake IMDS. */
export interface FakeUpstreamOptions {
  cassette: Cassette;
  /** Every request needs a token. */
  imdsv2?: boolean;
  /** Answer every token PUT with 403, as an IMDS with tokens turned off or a pre-2019 mock does. */
  refuseTokens?: boolean;
  /** Tokens issued before this many requests stop working afterwards (the signing key rotates). */
  revokeTokensAfter?: number;
  /** Per request: drop the connection, never answer, or answer something else. */
  intercept?: (hit: UpstreamHit) => Intercept;
  /** Wait this long before each answer. */
  delayMs?: number;
}

/** A running fake IMDS on loopback. */
export interface FakeUpstream {
  url: string;
  hits: UpstreamHit[];
  /** Every token it issued, to check that none reaches a file. */
  tokens: string[];
  close(): Promise<void>;
}

/**
 * A loopback IMDS for recorder tests: the replay engine answers from a cassette, and the options
 * make it refuse tokens, throttle, drop connections, hang or revoke tokens like real ones can.
 */
export async function startFakeUpstream(options: FakeUpstreamOptions): Promise<FakeUpstream> {
  const makeEngine = (): ReplayEngine => createReplayEngine({
    cassette: options.cassette,
    imdsv2: options.imdsv2 ? 'required' : 'optional',
    secret: randomBytes(16).toString('hex'),
    clock: Date.now,
    // Serve credentials exactly as in the cassette, so recorded bodies can be compared byte for byte.
    freshCredentials: false,
  });
  let engine = makeEngine();
  const hits: UpstreamHit[] = [];
  const tokens: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const hit: UpstreamHit = { n: hits.length + 1, method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, at: performance.now() };
    hits.push(hit);
    if (options.revokeTokensAfter !== undefined && hit.n === options.revokeTokensAfter + 1) engine = makeEngine();
    req.resume();
    const answer = (): void => {
      const action = options.intercept?.(hit);
      if (action === 'drop') {
        req.socket.destroy();
        return;
      }
      if (action === 'hang') return;
      if (action) {
        res.writeHead(action.status, { 'content-type': 'text/plain', ...action.headers });
        res.end(action.body ?? '');
        return;
      }
      if (hit.method === 'PUT' && options.refuseTokens) {
        res.writeHead(403, { 'content-type': 'text/plain', 'content-length': '0' });
        res.end();
        return;
      }
      const response = engine.resolve(toImdsRequest(req), randomBytes(8));
      if (hit.method === 'PUT' && response.status === 200) tokens.push(Buffer.from(response.body).toString('utf8'));
      writeImdsResponse(res, response);
    };
    if (options.delayMs) setTimeout(answer, options.delayMs);
    else answer();
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    tokens,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
