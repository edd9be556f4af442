import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

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

/** What to do instead of answering from the entries. */
type Intercept = 'drop' | 'hang' | { status: number; headers?: Record<string, string>; body?: string } | undefined;

/** An answer as plain data: the shape of a cassette entry. */
interface FakeEntry {
  status: number;
  headers: Record<string, string>;
  body?: string;
  bodyBase64?: string;
}

/** Misbehaviours of the fake IMDS. */
export interface FakeUpstreamOptions {
  /** What to serve, path → answer (a cassette fits: only its `entries` are read). */
  cassette: { entries: Readonly<Record<string, FakeEntry>> };
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

const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
const DATED = /^\/\d{4}-\d\d-\d\d\//;

function reply(res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer = Buffer.alloc(0)): void {
  res.writeHead(status, { 'content-type': 'text/plain', ...headers, 'content-length': String(body.length) });
  res.end(body);
}

function errorPage(res: ServerResponse, status: number, title: string): void {
  reply(res, status, { 'content-type': 'text/html' }, Buffer.from(`<html><body><h1>${status} - ${title}</h1></body></html>\n`));
}

/**
 * A loopback IMDS for recorder tests, written from plain data and independent of our engine, so a
 * bug the recorder shares with the core cannot hide: entries are served as given, directories
 * without their slash redirect, leaves with one answer the leaf, dated paths fall back to
 * `latest`, and IMDSv2 tokens are issued and checked. The options make it refuse tokens, drop
 * connections, hang or revoke tokens like real ones can.
 */
export async function startFakeUpstream(options: FakeUpstreamOptions): Promise<FakeUpstream> {
  const entries = options.cassette.entries;
  const hits: UpstreamHit[] = [];
  const tokens: string[] = [];
  let live = new Map<string, number>();
  const sockets = new Set<Socket>();

  /** The entry for a decoded path: as recorded, else from `latest` for a dated path. */
  const find = (path: string): FakeEntry | undefined =>
    entries[path] ?? (DATED.test(path) ? entries[path.replace(DATED, '/latest/')] : undefined);

  /** A listing the entries imply, for directories recorded without one (`/` lists the versions). */
  const impliedListing = (dir: string): string | undefined => {
    const children = new Set<string>();
    for (const key of Object.keys(entries)) {
      if (!key.startsWith(dir) || key === dir) continue;
      const rest = key.slice(dir.length);
      const slash = rest.indexOf('/');
      children.add(slash < 0 ? rest : rest.slice(0, slash + (dir === '/' ? 0 : 1)));
    }
    if (children.size === 0) return undefined;
    return [...children].sort((a, b) => (a === 'latest' ? 1 : b === 'latest' ? -1 : a < b ? -1 : 1)).join('\n');
  };

  const answerToken = (res: ServerResponse, path: string, headers: IncomingHttpHeaders): void => {
    if (path !== '/latest/api/token' || headers['x-forwarded-for'] !== undefined) return reply(res, 403, {});
    const ttl = String(headers[TTL_HEADER] ?? '');
    if (!/^\d+$/.test(ttl) || Number(ttl) < 1 || Number(ttl) > 21_600) return errorPage(res, 400, 'Bad Request');
    const token = randomBytes(40).toString('base64');
    live.set(token, Date.now() + Number(ttl) * 1000);
    tokens.push(token);
    reply(res, 200, { [TTL_HEADER]: ttl }, Buffer.from(token));
  };

  const answerGet = (res: ServerResponse, path: string, headers: IncomingHttpHeaders): void => {
    const token = headers[TOKEN_HEADER];
    if (typeof token === 'string' ? !((live.get(token) ?? 0) > Date.now()) : options.imdsv2) return errorPage(res, 401, 'Unauthorized');
    const entry = find(path);
    if (entry) {
      const body = entry.bodyBase64 !== undefined ? Buffer.from(entry.bodyBase64, 'base64') : Buffer.from(entry.body ?? '');
      return reply(res, entry.status, entry.headers, body);
    }
    if (path.endsWith('/')) {
      const leaf = find(path.slice(0, -1));
      if (leaf && path !== '/') {
        const body = leaf.bodyBase64 !== undefined ? Buffer.from(leaf.bodyBase64, 'base64') : Buffer.from(leaf.body ?? '');
        return reply(res, leaf.status, { ...leaf.headers, 'content-type': 'text/plain' }, body);
      }
      const listing = impliedListing(path);
      if (listing !== undefined) return reply(res, 200, {}, Buffer.from(listing));
    } else if (find(`${path}/`) || impliedListing(`${path}/`) !== undefined) {
      return reply(res, 301, { location: `http://${headers.host ?? '169.254.169.254'}${path}/` });
    }
    errorPage(res, 404, 'Not Found');
  };

  const server = createServer((req, res) => {
    const hit: UpstreamHit = {
      n: hits.length + 1,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      at: performance.now(),
    };
    hits.push(hit);
    if (options.revokeTokensAfter !== undefined && hit.n === options.revokeTokensAfter + 1) live = new Map();
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
      // Real IMDS tolerates repeated leading slashes and decodes percent-encoded segments.
      const raw = `/${hit.path.replace(/[?#].*$/, '').replace(/^\/+/, '')}`;
      let path: string;
      try {
        path = raw
          .split('/')
          .map((segment) => decodeURIComponent(segment))
          .join('/');
      } catch {
        return errorPage(res, 400, 'Bad Request');
      }
      if (hit.method === 'PUT') return options.refuseTokens ? reply(res, 403, {}) : answerToken(res, path, req.headers);
      if (hit.method !== 'GET' && hit.method !== 'HEAD') return errorPage(res, 405, 'Method Not Allowed');
      answerGet(res, path, req.headers);
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
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
