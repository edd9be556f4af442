import { access } from 'node:fs/promises';
import { Agent, createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type ProxyServer from 'http-proxy';
import type { Entry } from '../core/cassette.js';
import { AemmError, UsageError } from '../core/errors.js';
import { escapeControlChars } from '../core/escape-control-chars.js';
import { isAllowedHost } from '../core/is-allowed-host.js';
import { isLoopback } from '../core/is-loopback.js';
import { parseHost } from '../core/parse-host.js';
import { loadCassette } from '../cassette/load-cassette.js';
import { checkWritableCassette } from '../cassette/write-cassette.js';
import { answerPlain } from './answer-plain.js';
import { checkProxyTarget } from './check-proxy-target.js';
import { createAnswerRecorder } from './create-answer-recorder.js';
import { createExchangeHandler, type ProxyRequestLog } from './create-exchange-handler.js';
import { createRecordingStore } from './create-recording-store.js';
import { createRecordingWriter } from './create-recording-writer.js';
import { createRedactor } from './create-redactor.js';
import { listenProxy } from './listen-proxy.js';
import { isPartialRecording } from './is-partial-recording.js';
import { parseUpstream } from './parse-upstream.js';
import { createCassetteServer } from './serve-from-cassette.js';
import { createRecordingMeta } from './create-recording-meta.js';
import { toRecordTarget } from './to-record-target.js';
import { toRecordedCassette } from './to-recorded-cassette.js';
import { loadHttpProxy } from './load-http-proxy.js';

export type { ProxyRequestLog } from './create-exchange-handler.js';

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
  /** Host names the proxy answers besides loopback names and the bound address (`--allow-host`). */
  allowHosts?: readonly string[];
  /** Replace an output file that is read-only. */
  force?: boolean;
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
  /** Called with one line when an answer cannot be recorded (the cassette could not store it). */
  onWarning?: (message: string) => void;
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

const DRAIN_MS = 1_000;

async function fileExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

function formatHost(hostname: string): string {
  return hostname.includes(':') ? `[${hostname}]` : hostname;
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
  if (!(timeoutMs > 0)) throw new UsageError(`Timeout ${timeoutMs} ms is not more than 0. Give the upstream time to answer, e.g. 5000 ms.`);
  const hostname = options.hostname ?? '127.0.0.1';
  if (!isLoopback(hostname) && !options.allowRemote) {
    throw new UsageError(
      `Refusing to listen on ${hostname}: the proxy would hand this instance's credentials to the network. Listen on 127.0.0.1, or allow remote clients if you mean it (allowRemote: true; --allow-remote on the command line).`,
    );
  }
  const debounceMs = options.debounceMs ?? 200;
  const shownHost = (): string => (hostname === '0.0.0.0' ? '127.0.0.1' : hostname === '::' ? '::1' : hostname);
  const output = options.output;
  await checkWritableCassette(output, options.force);
  const keepsSecrets = options.redact === false;
  const existing = mode !== 'overwrite' && (await fileExists(output)) ? await loadCassette(output) : undefined;
  const previouslyRedacted = existing?.meta.redacted ?? [];
  const redactedBefore: Record<string, Entry> = {};
  for (const key of previouslyRedacted) if (existing?.entries[key]) redactedBefore[key] = existing.entries[key];
  const redactor = createRedactor({ credentials: !keepsSecrets, paths: options.redactPaths, redactedBefore });
  // The file obeys this run's redaction too; entries an earlier run redacted stay as they are.
  const entries: Record<string, Entry> = {};
  for (const [key, entry] of Object.entries(existing?.entries ?? {}))
    entries[key] = key in redactedBefore ? entry : redactor.redactEntry(key, entry);
  const store = createRecordingStore({ entries, replace: mode === 'overwrite', redact: (key, entry) => redactor.redactEntry(key, entry) });
  const httpProxy = await loadHttpProxy();

  let requests = 0;
  let inFlight = 0;
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

  const writer = createRecordingWriter({
    output,
    snapshot: () =>
      toRecordedCassette({
        source: upstream.origin,
        entries,
        redactor,
        redacted: redactedList(),
        subject: `"${output}"`,
        ...(isPartialRecording(entries) ? { extra: { incomplete: true } } : {}),
      }),
    // Live credentials (--no-redact): readable by the owner only, from the first byte on disk.
    ...(keepsSecrets ? { fileMode: 0o600 } : {}),
    force: options.force === true,
    debounceMs,
    onWriteError: options.onWriteError,
  });
  // replay-or-record answers what the file holds through the core's pipeline.
  const cassetteServer = createCassetteServer({
    entries,
    meta: () =>
      createRecordingMeta({
        source: upstream.origin,
        entries,
        redacted: redactedList(),
        // Read as a proxy recording, listings keep children the application never asked for, as
        // the instance listed them; a complete recording lists none such, so reading costs no scan.
        extra: { incomplete: true },
      }),
    redacted: () => new Set(redactedList()),
  });
  const recorder = createAnswerRecorder({
    store,
    upstream,
    agent,
    timeoutMs,
    onChange: (keys) => {
      cassetteServer.changed();
      writer.markChanged(keys);
    },
    onWarning: options.onWarning,
  });
  // The log goes to a terminal: a request target may carry bytes a terminal would obey (0x9b is CSI).
  const log = (entry: ProxyRequestLog): void => options.onRequest?.({ ...entry, path: escapeControlChars(entry.path) });
  const exchanges = createExchangeHandler({
    proxy,
    upstream,
    timeoutMs,
    // Real IMDS names the address it was asked on (docs/imds-behaviour.md §1): the Host when it names this proxy, else its own URL.
    ownOrigin: (req) => {
      const named = isAllowedHost(req.headers.host, { localAddress: req.socket.localAddress, allowHosts: options.allowHosts });
      const host = named && req.headers.host !== undefined ? parseHost(req.headers.host) : undefined;
      return host
        ? `http://${formatHost(host.name)}${host.port === undefined ? '' : `:${host.port}`}`
        : `http://${formatHost(shownHost())}:${address.port}`;
    },
    record: (answer) => recorder.record(answer),
    log,
  });

  const server = createServer((req, res) => {
    requests++;
    inFlight++;
    res.on('close', () => inFlight--);
    const method = req.method ?? 'GET';
    const ownHosts = [`127.0.0.1:${address.port}`, `localhost:${address.port}`, `[::1]:${address.port}`];
    const target = checkProxyTarget(req.url ?? '/', {
      upstream,
      ownHosts,
      host: req.headers.host,
      localAddress: req.socket.localAddress,
      allowHosts: options.allowHosts ?? [],
    });
    if ('status' in target) {
      answerPlain(res, target.status, target.message);
      log({ method, path: req.url ?? '/', status: target.status, from: 'proxy', recorded: false });
      return;
    }
    const recordTarget = toRecordTarget(target.path);
    if (mode === 'replay-or-record' && recordTarget !== undefined) {
      const status = cassetteServer.serve(res, { method, path: target.path, headers: req.headers });
      if (status !== undefined) {
        log({ method, path: target.path, status, from: 'cassette', recorded: false });
        return;
      }
    }
    exchanges.forward(req, res, { method, path: target.path, target: recordTarget, absoluteForm: target.absoluteForm });
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
    await listenProxy(server, port, hostname);
  } catch (error) {
    proxy.close();
    agent.destroy();
    throw error;
  }
  const address = server.address() as AddressInfo;
  const shown = shownHost();
  const stats = (): RecordingProxyStats => {
    const writeError = writer.writeError;
    return {
      requests,
      recorded: recorder.recorded,
      entries: Object.keys(entries).length,
      writes: writer.writes,
      unwritten: writer.unwritten,
      ...(writeError === undefined ? {} : { writeError }),
      redacted: redactedList(),
    };
  };
  let closing: Promise<RecordingProxyStats> | undefined;
  return {
    url: `http://${formatHost(shown)}:${address.port}`,
    port: address.port,
    hostname,
    stats,
    async flush() {
      // Answers already passed on may still be on their way into the entries.
      await exchanges.settle();
      await writer.flush();
    },
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = Date.now() + DRAIN_MS;
        while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
        server.closeAllConnections();
        await closed;
        // Answers already sent may still wait for a directory probe before they are recorded.
        await exchanges.settle();
        proxy.close();
        agent.destroy();
        // close() reports a failure itself, as its rejection.
        await writer.flush(false);
        const final = stats();
        if (final.unwritten > 0) {
          throw new AemmError(
            'CASSETTE_WRITE',
            `${countEntries(final.unwritten)} recorded by the proxy ${final.unwritten === 1 ? 'was' : 'were'} not written: ${final.writeError ?? 'the last write did not happen'}`,
          );
        }
        return final;
      })();
      return closing;
    },
  };
}
