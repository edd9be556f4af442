import { isLoopback } from '../core/is-loopback.js';
import { randomBytes } from 'node:crypto';
import { access } from 'node:fs/promises';
import { Agent, createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type ProxyServer from 'http-proxy';
import { CASSETTE_FORMAT, type Cassette, type Entry } from '../core/cassette.js';
import { AemmError, UsageError } from '../core/errors.js';
import { createReplayEngine, type ReplayEngine } from '../core/replay-engine.js';
import { loadCassette } from '../cassette/load-cassette.js';
import { writeCassette } from '../cassette/write-cassette.js';
import { createRecordingMeta } from './create-recording-meta.js';
import { createRedactor } from './create-redactor.js';
import { parseUpstream } from './parse-upstream.js';
import { toEntry } from './to-entry.js';

/** What the proxy does with the output cassette: see `RecordingProxyOptions.mode`. */
export type RecordMode = 'new' | 'overwrite' | 'replay-or-record';

/** The record modes, for flag validation. */
export const RECORD_MODES: readonly RecordMode[] = ['new', 'overwrite', 'replay-or-record'];

/** How to run a recording proxy. */
export interface RecordingProxyOptions {
  /** Origin of the IMDS to forward to, e.g. `http://169.254.169.254`. */
  upstream: string;
  /** Cassette file to write (atomically, debounced). */
  output: string;
  /**
   * `new` (default): keep the file's entries and add paths it lacks. `overwrite`: start empty and
   * keep the latest answer per path. `replay-or-record`: answer from the file where it can and
   * forward (and record) only what it misses.
   */
  mode?: RecordMode;
  /** TCP port, default 1338; 0 picks a free one. */
  port?: number;
  /** Address to bind, default 127.0.0.1. */
  hostname?: string;
  /** Needed to bind beyond loopback: the proxy hands out the instance's credentials. */
  allowRemote?: boolean;
  /** Replace credentials by well-formed fakes in the file (default true); clients still get the real ones. */
  redact?: boolean;
  /** Path globs whose whole body is replaced in the file. */
  redactPaths?: string[];
  /** Upstream timeout per request (default 5000 ms). */
  timeoutMs?: number;
  /** Quiet time before a write, so a burst of requests costs one write (default 200 ms). */
  debounceMs?: number;
  /** Called after each answer. */
  onRequest?: (log: ProxyRequestLog) => void;
  /** Called when a write fails; the proxy keeps running and retries with the next change. */
  onWriteError?: (error: Error) => void;
}

/** One request through the proxy, for the request log. */
export interface ProxyRequestLog {
  method: string;
  path: string;
  status: number;
  /** Who answered: the upstream, the cassette (replay-or-record), or the proxy itself (refused). */
  from: 'upstream' | 'cassette' | 'proxy';
  /** Whether the answer became a cassette entry. */
  recorded: boolean;
}

/** Counters of a recording proxy. */
export interface RecordingProxyStats {
  requests: number;
  /** Entries added or replaced during this run. */
  recorded: number;
  /** Entries in the cassette now. */
  entries: number;
  /** Completed writes of the output file. */
  writes: number;
  redacted: string[];
}

/** A running recording proxy. */
export interface RecordingProxy {
  /** Base URL clients use, e.g. `http://127.0.0.1:1338`. */
  url: string;
  port: number;
  hostname: string;
  stats(): RecordingProxyStats;
  /** Writes pending changes now and waits until they are on disk. */
  flush(): Promise<void>;
  /** Stops listening, lets requests in flight finish (up to a second), writes, and reports. */
  close(): Promise<RecordingProxyStats>;
}

// RFC 9110 §7.6.1: meaningful for one connection only, never forwarded.
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade'];
const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
const DRAIN_MS = 1_000;

interface Exchange {
  method: string;
  /** The cassette key, or undefined when the path must not be recorded (token API). */
  key: string | undefined;
  absoluteForm: boolean;
}

type Target = { path: string; absoluteForm: boolean } | { status: number; message: string };

function formatHost(hostname: string): string {
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}

function stripHopByHop(headers: IncomingHttpHeaders): void {
  const named = String(headers.connection ?? '').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  for (const name of [...HOP_BY_HOP, ...named]) delete headers[name];
}

/** Path segments, decoded; undefined when a segment cannot be decoded or would climb out (`..`). */
function decodeSegments(path: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of path.split('/').filter((part) => part !== '')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '.' || segment === '..' || /[/\\]/.test(segment)) return undefined;
    segments.push(segment);
  }
  return segments;
}

/** The cassette key for a request path, or undefined for the token API (tokens are never recorded). */
function toCassetteKey(path: string): string | undefined {
  const bare = path.replace(/[?#].*$/, '');
  const segments = decodeSegments(bare);
  if (!segments || segments[1] === 'api') return undefined;
  if (segments.length === 0) return '/';
  // `/latest` and `/latest/` are the same listing; cassettes key version roots with the slash.
  const trailing = bare.endsWith('/') || segments.length === 1;
  return `/${segments.join('/')}${trailing ? '/' : ''}`;
}

function plain(res: ServerResponse, status: number, message: string): void {
  const body = Buffer.from(`${message}\n`);
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(body.length), connection: 'close' });
  res.end(body);
}

async function listen(server: Server, port: number, hostname: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE') {
        reject(new UsageError(`Port ${port} on ${hostname} is already in use. Stop the other process or choose another with --port (0 picks a free one).`));
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

async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts an HTTP proxy in front of an upstream IMDS that records every answer into a cassette as
 * it passes: token PUTs go through but the token is never written, credentials are redacted in
 * the file, and the file is rewritten atomically (debounced) so a crash leaves a whole cassette.
 * It binds loopback only (unless `allowRemote`), forwards only to the upstream, adds no
 * X-Forwarded-For and strips hop-by-hop headers.
 */
export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const upstream = parseUpstream(options.upstream);
  const mode = options.mode ?? 'new';
  if (!RECORD_MODES.includes(mode)) throw new UsageError(`Mode "${String(mode)}" is unknown. Use one of: ${RECORD_MODES.join(', ')}.`);
  const port = options.port ?? 1338;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Port "${port}" is not a TCP port. Use a whole number from 0 to 65535 (0 picks a free one).`);
  }
  const hostname = options.hostname ?? '127.0.0.1';
  if (!isLoopback(hostname) && !options.allowRemote) {
    throw new UsageError(`Refusing to listen on ${hostname}: the proxy would hand this instance's credentials to the network. Listen on 127.0.0.1, or pass --allow-remote if you mean it.`);
  }
  const debounceMs = options.debounceMs ?? 200;
  const output = options.output;
  const existing = mode !== 'overwrite' && (await fileExists(output)) ? await loadCassette(output) : undefined;
  const entries: Record<string, Entry> = { ...existing?.entries };
  const previouslyRedacted = existing?.meta.redacted ?? [];
  const redactor = createRedactor({ credentials: options.redact ?? true, paths: options.redactPaths });
  const { default: httpProxy } = await import('http-proxy');

  let engine: ReplayEngine | undefined;
  let requests = 0;
  let recorded = 0;
  let writes = 0;
  let inFlight = 0;
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;
  let writing = Promise.resolve();
  const exchanges = new WeakMap<IncomingMessage, Exchange>();
  const agent = new Agent({ keepAlive: true });
  const proxy: ProxyServer = httpProxy.createProxyServer({
    target: upstream.origin,
    selfHandleResponse: true,
    // Real IMDS refuses token PUTs that carry X-Forwarded-For; we add none (a client's own passes through, see README).
    xfwd: false,
    changeOrigin: true,
    proxyTimeout: options.timeoutMs ?? 5_000,
    agent,
  });

  function redactedList(): string[] {
    return [...new Set([...previouslyRedacted, ...redactor.redacted])].sort();
  }

  function snapshot(): Cassette {
    const scrubbed = redactor.scrub(entries);
    const leaks = redactor.findLeaks(scrubbed);
    if (leaks.length > 0) throw new AemmError('REDACTION_FAILED', `Refusing to write "${output}": it would still hold secrets (${leaks.join(', ')}). Report this as a bug.`);
    const sorted: Record<string, Entry> = {};
    for (const key of Object.keys(scrubbed).sort()) sorted[key] = scrubbed[key]!;
    return { format: CASSETTE_FORMAT, meta: createRecordingMeta({ source: upstream.origin, entries: sorted, redacted: redactedList() }), entries: sorted };
  }

  function writeNow(): Promise<void> {
    writing = writing.then(async () => {
      if (!dirty) return;
      dirty = false;
      try {
        await writeCassette(output, snapshot());
        writes++;
      } catch (error) {
        dirty = true;
        options.onWriteError?.(error as Error);
      }
    });
    return writing;
  }

  function scheduleWrite(): void {
    dirty = true;
    timer ??= setTimeout(() => {
      timer = undefined;
      void writeNow();
    }, debounceMs);
  }

  function record(exchange: Exchange, status: number, headers: IncomingHttpHeaders, body: Buffer): boolean {
    // Only whole 200 answers to GET are facts about the instance; 401s, 404s and redirects are the replay core's job.
    if (exchange.method !== 'GET' || status !== 200 || exchange.key === undefined) return false;
    if (mode !== 'overwrite' && entries[exchange.key] !== undefined) return false;
    entries[exchange.key] = redactor.redactEntry(exchange.key, toEntry(status, headers, body));
    recorded++;
    engine = undefined;
    scheduleWrite();
    return true;
  }

  function replayEngine(): ReplayEngine {
    // A new cassette object each time: the core caches its index per cassette object.
    engine ??= createReplayEngine({
      cassette: { format: CASSETTE_FORMAT, meta: createRecordingMeta({ source: upstream.origin, entries, redacted: [] }), entries: { ...entries } },
      secret: randomBytes(32).toString('hex'),
      clock: Date.now,
    });
    return engine;
  }

  function checkTarget(req: IncomingMessage): Target {
    const url = req.url ?? '/';
    let path = url;
    let absoluteForm = false;
    if (!url.startsWith('/')) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return { status: 400, message: `aemm record: "${url}" is not a request target.` };
      }
      if (parsed.protocol !== 'http:') return { status: 400, message: 'aemm record forwards plain http only.' };
      const own = [`127.0.0.1:${address.port}`, `localhost:${address.port}`, `[::1]:${address.port}`];
      if (parsed.host !== upstream.host && !own.includes(parsed.host)) {
        return { status: 403, message: `aemm record forwards only to ${upstream.origin}, not to ${parsed.host}.` };
      }
      path = parsed.pathname + parsed.search;
      absoluteForm = parsed.host === upstream.host;
    }
    if (path.includes('\\') || !decodeSegments(path.replace(/[?#].*$/, ''))) {
      return { status: 400, message: 'aemm record: the path has "." or ".." segments or an encoded slash; nothing was forwarded.' };
    }
    return { path, absoluteForm };
  }

  const log = (entry: ProxyRequestLog): void => options.onRequest?.(entry);

  const server = createServer((req, res) => {
    requests++;
    inFlight++;
    res.on('close', () => inFlight--);
    const method = req.method ?? 'GET';
    const target = checkTarget(req);
    if ('status' in target) {
      plain(res, target.status, target.message);
      log({ method, path: req.url ?? '/', status: target.status, from: 'proxy', recorded: false });
      return;
    }
    req.url = target.path;
    stripHopByHop(req.headers);
    const exchange: Exchange = { method, key: toCassetteKey(target.path), absoluteForm: target.absoluteForm };
    if (mode === 'replay-or-record' && (method === 'GET' || method === 'HEAD') && exchange.key !== undefined) {
      // The client's token came from the upstream and means nothing to our core, which needs none.
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) if (name !== TOKEN_HEADER && typeof value === 'string') headers[name] = value;
      const response = replayEngine().resolve({ method, path: target.path, headers, clientAddress: req.socket.remoteAddress });
      if (response.status !== 404) {
        res.writeHead(response.status, response.headers);
        res.end(response.body.length > 0 ? response.body : undefined);
        log({ method, path: target.path, status: response.status, from: 'cassette', recorded: false });
        return;
      }
    }
    exchanges.set(req, exchange);
    proxy.web(req, res);
  });

  proxy.on('proxyRes', (proxyRes, req, res) => {
    const chunks: Buffer[] = [];
    proxyRes.on('data', (chunk: Buffer) => chunks.push(chunk));
    proxyRes.on('error', () => res.destroy());
    proxyRes.on('end', () => {
      const exchange = exchanges.get(req)!;
      const status = proxyRes.statusCode ?? 502;
      const body = Buffer.concat(chunks);
      const headers: IncomingHttpHeaders = { ...proxyRes.headers };
      stripHopByHop(headers);
      if (exchange.method !== 'HEAD') headers['content-length'] = String(body.length);
      const location = headers.location;
      if (typeof location === 'string' && !exchange.absoluteForm && location.startsWith(`${upstream.origin}/`)) {
        // Keep a client that follows the redirect on the proxy (real IMDS names its own address).
        headers.location = `http://${req.headers.host ?? `${formatHost(hostname)}:${address.port}`}${location.slice(upstream.origin.length)}`;
      }
      res.writeHead(status, proxyRes.statusMessage, headers);
      res.end(exchange.method === 'HEAD' ? undefined : body);
      const wasRecorded = record(exchange, status, proxyRes.headers, body);
      log({ method: exchange.method, path: req.url ?? '/', status, from: 'upstream', recorded: wasRecorded });
    });
  });

  proxy.on('error', (error: NodeJS.ErrnoException, req: IncomingMessage, res: ServerResponse | Socket) => {
    if ('writeHead' in res && !res.headersSent) {
      plain(res, 502, `aemm record: upstream ${upstream.origin} failed (${error.code ?? error.message}).`);
    } else {
      res.destroy();
    }
    log({ method: req.method ?? 'GET', path: req.url ?? '/', status: 502, from: 'proxy', recorded: false });
  });

  // CONNECT would tunnel anywhere, and upgrades have no place in IMDS.
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  server.on('upgrade', (_req: IncomingMessage, socket: Socket) => socket.destroy());
  server.on('clientError', (_error: Error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });

  try {
    await listen(server, port, hostname);
  } catch (error) {
    proxy.close();
    agent.destroy();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const shown = hostname === '0.0.0.0' ? '127.0.0.1' : hostname === '::' ? '::1' : hostname;
  const stats = (): RecordingProxyStats => ({ requests, recorded, entries: Object.keys(entries).length, writes, redacted: redactedList() });
  const flush = (): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    return writeNow();
  };
  let closing: Promise<RecordingProxyStats> | undefined;
  return {
    url: `http://${formatHost(shown)}:${address.port}`,
    port: address.port,
    hostname,
    stats,
    flush,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = Date.now() + DRAIN_MS;
        while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        server.closeAllConnections();
        await closed;
        proxy.close();
        agent.destroy();
        await flush();
        return stats();
      })();
      return closing;
    },
  };
}
