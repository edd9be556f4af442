import { isLoopback } from '../core/is-loopback.js';
import { access } from 'node:fs/promises';
import { Agent, createServer, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type ProxyServer from 'http-proxy';
import { CASSETTE_FORMAT, type Cassette, type Entry } from '../core/cassette.js';
import { AemmError, UsageError } from '../core/errors.js';
import { loadCassette } from '../cassette/load-cassette.js';
import { writeCassette } from '../cassette/write-cassette.js';
import { createRecordingMeta } from './create-recording-meta.js';
import { createRecordingStore, type PathKind } from './create-recording-store.js';
import { createRedactor } from './create-redactor.js';
import { decodeSegments } from './decode-segments.js';
import { isCredentialPath } from './is-credential-path.js';
import { parseUpstream } from './parse-upstream.js';
import { probePathKind } from './probe-path-kind.js';
import { toEntry } from './to-entry.js';
import { toRecordTarget, type RecordTarget } from './to-record-target.js';

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
   * keep the latest answer per path. `replay-or-record`: answer from the file what it holds (the
   * exact entry, status 200) and forward (and record) everything else; credentials and other
   * redacted entries are always forwarded, so the application gets the real ones.
   */
  mode?: RecordMode;
  /** TCP port, default 1338; 0 picks a free one. */
  port?: number;
  /** Address to bind, default 127.0.0.1. */
  hostname?: string;
  /** Needed to bind beyond loopback: the proxy hands out the instance's credentials. */
  allowRemote?: boolean;
  /**
   * Replace credentials by well-formed fakes in the file (default true); clients still get the real
   * ones. With false the file holds live credentials and is made readable by its owner only (0600).
   */
  redact?: boolean;
  /** Path globs whose whole body is replaced in the file. */
  redactPaths?: string[];
  /** Longest time for one upstream answer, from forwarding to its last byte (default 5000 ms). */
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
  /** Who answered: the upstream, the cassette (replay-or-record), or the proxy itself (refused, failed, timed out). */
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
  /** Changed entries not on disk yet (a write is due, or the last one failed). */
  unwritten: number;
  /** Why the last write failed, while changes are unwritten. */
  writeError?: string;
  redacted: string[];
}

/** A running recording proxy. */
export interface RecordingProxy {
  /** Base URL clients use, e.g. `http://127.0.0.1:1338`. */
  url: string;
  port: number;
  hostname: string;
  stats(): RecordingProxyStats;
  /** Writes pending changes now and waits until they are on disk (a failure goes to `onWriteError`). */
  flush(): Promise<void>;
  /**
   * Stops listening, lets requests in flight finish (up to a second), writes, and reports. Rejects
   * with a `CASSETTE_WRITE` error naming how many entries were not written, and why, when the
   * last write failed.
   */
  close(): Promise<RecordingProxyStats>;
}

// RFC 9110 §7.6.1: meaningful for one connection only, never forwarded.
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade'];
// Recorded headers that describe one exchange, not the resource; never served from the file.
const EXCHANGE_HEADERS = new Set(['content-length', 'date', 'connection', 'transfer-encoding', 'keep-alive', 'server']);
const DRAIN_MS = 1_000;
// IMDS values are small (user-data is at most 16 KiB, documents a few KiB): a larger answer is no IMDS answer.
const MAX_BODY_BYTES = 1024 * 1024;
// Remembered directory probes, per path; dropped wholesale past this many rather than grow without end.
const MAX_PROBES = 10_000;

interface Exchange {
  method: string;
  path: string;
  /** Where a 200 answer to GET goes, or undefined when the path must not be recorded (token API). */
  target: RecordTarget | undefined;
  absoluteForm: boolean;
  /** The client's headers as forwarded, for a directory probe. */
  headers: IncomingHttpHeaders;
  upstreamRequest?: ClientRequest;
  deadline?: NodeJS.Timeout;
  /** The client has its answer (or its connection was closed); later events change nothing. */
  answered: boolean;
}

type Target = { path: string; absoluteForm: boolean } | { status: number; message: string };

function formatHost(hostname: string): string {
  return hostname.includes(':') ? `[${hostname}]` : hostname;
}

function stripHopByHop(headers: IncomingHttpHeaders): void {
  const named = String(headers.connection ?? '').split(',').map((name) => name.trim().toLowerCase()).filter(Boolean);
  for (const name of [...HOP_BY_HOP, ...named]) delete headers[name];
}

function plain(res: ServerResponse, status: number, message: string): void {
  const body = Buffer.from(`${message}\n`);
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': String(body.length), connection: 'close' });
  res.end(body);
}

/** Answers with a recorded entry as it is in the file; `user-data/` is text/plain as on real IMDS (imds-facts §1). */
function serveEntry(res: ServerResponse, method: string, entry: Entry, slash: boolean): void {
  const body = entry.bodyBase64 !== undefined ? Buffer.from(entry.bodyBase64, 'base64') : Buffer.from(entry.body ?? '');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.headers)) if (!EXCHANGE_HEADERS.has(name)) headers[name] = value;
  headers['content-type'] ??= 'text/plain';
  if (slash && headers['content-type'] === 'application/octet-stream') headers['content-type'] = 'text/plain';
  headers['content-length'] = String(body.length);
  headers.server = 'EC2ws';
  res.writeHead(entry.status, headers);
  res.end(method === 'HEAD' ? undefined : body);
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

function countEntries(count: number): string {
  return `${count} ${count === 1 ? 'entry' : 'entries'}`;
}

/**
 * Starts an HTTP proxy in front of an upstream IMDS that records every answer into a cassette as
 * it passes: token PUTs go through but the token is never written, credentials are redacted in
 * the file, and the file is rewritten atomically (debounced) so a crash leaves a whole cassette.
 * A leaf asked with a trailing slash is recorded as the leaf: the cassette's own listings decide,
 * or one probe of the upstream without the slash (a 301 means a directory). It binds loopback only
 * (unless `allowRemote`), forwards only to the upstream, adds no X-Forwarded-For, strips hop-by-hop
 * headers, and gives each upstream answer a deadline and a size cap (1 MiB).
 */
export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const upstream = parseUpstream(options.upstream);
  const mode = options.mode ?? 'new';
  if (!RECORD_MODES.includes(mode)) throw new UsageError(`Mode "${String(mode)}" is unknown. Use one of: ${RECORD_MODES.join(', ')}.`);
  const port = options.port ?? 1338;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`Port "${port}" is not a TCP port. Use a whole number from 0 to 65535 (0 picks a free one).`);
  }
  const timeoutMs = options.timeoutMs ?? 5_000;
  if (!(timeoutMs > 0)) throw new UsageError(`Timeout ${timeoutMs} ms is not more than 0. Give the upstream time to answer, e.g. 5000 ms (--timeout 5s).`);
  const hostname = options.hostname ?? '127.0.0.1';
  if (!isLoopback(hostname) && !options.allowRemote) {
    throw new UsageError(`Refusing to listen on ${hostname}: the proxy would hand this instance's credentials to the network. Listen on 127.0.0.1, or pass --allow-remote if you mean it.`);
  }
  const debounceMs = options.debounceMs ?? 200;
  const output = options.output;
  const keepsSecrets = options.redact === false;
  const existing = mode !== 'overwrite' && (await fileExists(output)) ? await loadCassette(output) : undefined;
  const previouslyRedacted = existing?.meta.redacted ?? [];
  const redactedBefore: Record<string, Entry> = {};
  for (const key of previouslyRedacted) if (existing?.entries[key]) redactedBefore[key] = existing.entries[key];
  const redactor = createRedactor({ credentials: !keepsSecrets, paths: options.redactPaths, redactedBefore });
  // The file obeys this run's redaction too; entries an earlier run redacted stay as they are.
  const entries: Record<string, Entry> = {};
  for (const [key, entry] of Object.entries(existing?.entries ?? {})) entries[key] = key in redactedBefore ? entry : redactor.redactEntry(key, entry);
  const store = createRecordingStore({ entries, replace: mode === 'overwrite', redact: (key, entry) => redactor.redactEntry(key, entry) });
  const { default: httpProxy } = await import('http-proxy');

  let requests = 0;
  let recorded = 0;
  let writes = 0;
  let inFlight = 0;
  let lastWriteError: Error | undefined;
  const unwritten = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let writing = Promise.resolve();
  const recording = new Set<Promise<void>>();
  const probes = new Map<string, Promise<PathKind | undefined>>();
  const exchanges = new WeakMap<IncomingMessage, Exchange>();
  const agent = new Agent({ keepAlive: true });
  const proxy: ProxyServer = httpProxy.createProxyServer({
    target: upstream.origin,
    selfHandleResponse: true,
    // Real IMDS refuses token PUTs that carry X-Forwarded-For; we add none (a client's own passes through, see README).
    xfwd: false,
    changeOrigin: true,
    agent,
  });

  function redactedList(): string[] {
    return [...new Set([...previouslyRedacted, ...redactor.redacted])].filter((key) => key in entries).sort();
  }

  function snapshot(): Cassette {
    const scrubbed = redactor.scrub(entries);
    const leaks = redactor.findLeaks(scrubbed);
    if (leaks.length > 0) throw new AemmError('REDACTION_FAILED', `Refusing to write "${output}": it would still hold secrets (${leaks.join(', ')}). Report this as a bug.`);
    const sorted: Record<string, Entry> = {};
    for (const key of Object.keys(scrubbed).sort()) sorted[key] = scrubbed[key]!;
    return { format: CASSETTE_FORMAT, meta: createRecordingMeta({ source: upstream.origin, entries: sorted, redacted: redactedList() }), entries: sorted };
  }

  function writeNow(reportErrors: boolean): Promise<void> {
    writing = writing.then(async () => {
      if (unwritten.size === 0) return;
      const batch = [...unwritten];
      unwritten.clear();
      try {
        await writeCassette(output, snapshot(), keepsSecrets ? { mode: 0o600 } : {});
        writes++;
        lastWriteError = undefined;
      } catch (error) {
        for (const key of batch) unwritten.add(key);
        lastWriteError = error as Error;
        if (reportErrors) options.onWriteError?.(error as Error);
      }
    });
    return writing;
  }

  function scheduleWrite(): void {
    timer ??= setTimeout(() => {
      timer = undefined;
      void writeNow(true);
    }, debounceMs);
  }

  /** The cassette key for a slash path's answer: the cassette decides, else one probe of the upstream. */
  async function keyFor(target: RecordTarget, headers: IncomingHttpHeaders): Promise<string | undefined> {
    if ('key' in target) return target.key;
    let kind = store.kindOf(target.leaf);
    if (kind === undefined) {
      let probe = probes.get(target.leaf);
      if (!probe) {
        if (probes.size >= MAX_PROBES) probes.clear();
        probe = probePathKind({ upstream, path: target.probePath, headers, agent, timeoutMs });
        probes.set(target.leaf, probe);
      }
      kind = await probe;
      // Only answers are remembered: a probe that failed is asked again next time.
      if (kind === undefined && probes.get(target.leaf) === probe) probes.delete(target.leaf);
    }
    return kind === undefined ? undefined : kind === 'directory' ? `${target.leaf}/` : target.leaf;
  }

  async function record(exchange: Exchange, status: number, headers: IncomingHttpHeaders, body: Buffer): Promise<boolean> {
    // Only whole 200 answers to GET are facts about the instance; 401s, 404s and redirects are the replay core's job.
    if (exchange.method !== 'GET' || status !== 200 || exchange.target === undefined) return false;
    const key = await keyFor(exchange.target, exchange.headers);
    if (key === undefined) return false;
    const changed = store.put(key, toEntry(status, headers, body));
    if (changed.length === 0) return false;
    for (const changedKey of changed) unwritten.add(changedKey);
    recorded++;
    scheduleWrite();
    return true;
  }

  /** The entry replay-or-record may answer with: exactly what the file holds, never a fake the application would use. */
  function fromFile(target: RecordTarget): { entry: Entry; slash: boolean } | undefined {
    const candidates = 'key' in target ? [{ key: target.key, slash: target.key.endsWith('/') }] : [{ key: `${target.leaf}/`, slash: true }, { key: target.leaf, slash: true }];
    const redacted = new Set(redactedList());
    for (const { key, slash } of candidates) {
      const entry = entries[key];
      if (entry?.status === 200 && !isCredentialPath(key) && !redacted.has(key)) return { entry, slash };
    }
    return undefined;
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

  /** Ends an exchange the upstream did not complete: the client gets `status` (or a closed connection), nothing is recorded. */
  function fail(exchange: Exchange, res: ServerResponse, status: number, message: string): void {
    if (exchange.answered) return;
    exchange.answered = true;
    clearTimeout(exchange.deadline);
    exchange.upstreamRequest?.destroy();
    if (res.headersSent || res.destroyed) res.destroy();
    else plain(res, status, message);
    log({ method: exchange.method, path: exchange.path, status, from: 'proxy', recorded: false });
  }

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
    const exchange: Exchange = { method, path: target.path, target: toRecordTarget(target.path), absoluteForm: target.absoluteForm, headers: { ...req.headers }, answered: false };
    if (mode === 'replay-or-record' && (method === 'GET' || method === 'HEAD') && exchange.target !== undefined) {
      const hit = fromFile(exchange.target);
      if (hit) {
        serveEntry(res, method, hit.entry, hit.slash);
        log({ method, path: target.path, status: hit.entry.status, from: 'cassette', recorded: false });
        return;
      }
    }
    exchanges.set(req, exchange);
    // A deadline for the whole answer: an upstream that trickles bytes must not hold the client forever.
    exchange.deadline = setTimeout(() => {
      fail(exchange, res, 504, `aemm record: upstream ${upstream.origin} did not answer ${target.path} within ${timeoutMs} ms (timed out); nothing was recorded.`);
    }, timeoutMs);
    res.on('close', () => {
      clearTimeout(exchange.deadline);
      exchange.answered = true;
    });
    proxy.web(req, res);
  });

  proxy.on('proxyReq', (proxyReq, req) => {
    const exchange = exchanges.get(req);
    if (exchange) exchange.upstreamRequest = proxyReq;
  });

  proxy.on('proxyRes', (proxyRes, req, res) => {
    const exchange = exchanges.get(req)!;
    const chunks: Buffer[] = [];
    let size = 0;
    proxyRes.on('data', (chunk: Buffer) => {
      if (exchange.answered) return;
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      fail(exchange, res, 502, `aemm record: upstream ${upstream.origin} answered ${exchange.path} with more than 1 MiB, which is no IMDS answer; nothing was forwarded or recorded.`);
      proxyRes.destroy();
    });
    proxyRes.on('error', (error: NodeJS.ErrnoException) => {
      fail(exchange, res, 502, `aemm record: upstream ${upstream.origin} failed (${error.code ?? error.message}).`);
    });
    proxyRes.on('close', () => {
      if (!proxyRes.complete) fail(exchange, res, 502, `aemm record: upstream ${upstream.origin} closed the connection before the end of its answer.`);
    });
    proxyRes.on('end', () => {
      if (exchange.answered) return;
      exchange.answered = true;
      clearTimeout(exchange.deadline);
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
      const task = record(exchange, status, proxyRes.headers, body).then(
        (wasRecorded) => log({ method: exchange.method, path: exchange.path, status, from: 'upstream', recorded: wasRecorded }),
        () => log({ method: exchange.method, path: exchange.path, status, from: 'upstream', recorded: false }),
      );
      recording.add(task);
      void task.finally(() => recording.delete(task));
    });
  });

  proxy.on('error', (error: NodeJS.ErrnoException, req: IncomingMessage, res: ServerResponse | Socket) => {
    const exchange = exchanges.get(req);
    if (exchange && 'writeHead' in res) {
      fail(exchange, res, 502, `aemm record: upstream ${upstream.origin} failed (${error.code ?? error.message}).`);
      return;
    }
    if ('writeHead' in res && !res.headersSent) plain(res, 502, `aemm record: upstream ${upstream.origin} failed (${error.code ?? error.message}).`);
    else res.destroy();
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
  const stats = (): RecordingProxyStats => ({
    requests,
    recorded,
    entries: Object.keys(entries).length,
    writes,
    unwritten: unwritten.size,
    ...(lastWriteError && unwritten.size > 0 ? { writeError: lastWriteError.message } : {}),
    redacted: redactedList(),
  });
  const flush = (reportErrors = true): Promise<void> => {
    clearTimeout(timer);
    timer = undefined;
    return writeNow(reportErrors);
  };
  let closing: Promise<RecordingProxyStats> | undefined;
  return {
    url: `http://${formatHost(shown)}:${address.port}`,
    port: address.port,
    hostname,
    stats,
    flush: () => flush(),
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = Date.now() + DRAIN_MS;
        while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        server.closeAllConnections();
        await closed;
        // Answers already sent may still wait for a directory probe before they are recorded.
        await Promise.all([...recording]);
        proxy.close();
        agent.destroy();
        // close() reports a failure itself, as its rejection.
        await flush(false);
        const final = stats();
        if (final.unwritten > 0) {
          throw new AemmError('CASSETTE_WRITE', `${countEntries(final.unwritten)} recorded by the proxy ${final.unwritten === 1 ? 'was' : 'were'} not written: ${final.writeError ?? 'the last write did not happen'}`);
        }
        return final;
      })();
      return closing;
    },
  };
}
