import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { checkWritableCassette, writeCassette } from '../cassette/write-cassette.js';
import { crawlImds } from './crawl-imds.js';
import { parseUpstream } from './parse-upstream.js';
import { startRecordingProxy, type ProxyRequestLog, type RecordMode } from './start-recording-proxy.js';

/** Everything `aemm record` was asked to do. */
export interface RecordRequest {
  how: 'crawl' | 'proxy';
  output: string;
  upstream: string;
  mode?: RecordMode;
  port?: number;
  hostname?: string;
  allowRemote?: boolean;
  /** Proxy: Host names answered besides loopback names and the bound address. */
  allowHosts?: readonly string[];
  /** Replace an output file that is read-only. */
  force?: boolean;
  redact?: boolean;
  redactPaths?: string[];
  concurrency?: number;
  ratePerSecond?: number;
  timeoutMs?: number;
  /** Extra attempts per path (crawl). */
  retries?: number;
  /** Write a crawl that missed paths anyway, listing them in `meta.incomplete`. */
  allowPartial?: boolean;
  /** Aborting stops a crawl (nothing is written) or stops the proxy (it writes and closes). */
  signal: AbortSignal;
}

/** Callbacks for rendering a recording as it runs. */
export interface RecordHooks {
  onProgress?: (progress: { done: number; found: number; errors: number }) => void;
  /** The proxy is listening. */
  onListening?: (info: { url: string; upstream: string; output: string; mode: RecordMode }) => void;
  onRequest?: (log: ProxyRequestLog, recordedSoFar: number) => void;
  onWriteError?: (error: Error) => void;
  /** Something the user should know, one line (e.g. a crawl that fell back to IMDSv1 after a token timeout). */
  onWarning?: (message: string) => void;
}

/** What a recording did, for the summary line and `--json`. */
export interface RecordSummary {
  how: 'crawl' | 'proxy';
  output: string;
  upstream: string;
  /** Whether the output file was (re)written. */
  written: boolean;
  /** A crawl stopped by a signal before it finished (nothing written). */
  interrupted: boolean;
  /** Entries in the written cassette (or that would have been written). */
  entries: number;
  /** HTTP requests: sent to the upstream by a crawl, received by the proxy. */
  requests: number;
  /** Paths that could not be fetched; non-empty means the recording is incomplete. */
  errors: Array<{ path: string; reason: string }>;
  /** Listed paths that answered 404 (crawl). */
  notFound: string[];
  /** Paths whose secrets or bodies were replaced. */
  redacted: string[];
  /** One line each: what the user should know about this recording. */
  warnings: string[];
  /** Token use of a crawl. */
  imdsVersion?: 'v1' | 'v2';
  instanceType?: string;
  region?: string;
  durationMs: number;
}

/** Checks a request before anything is printed or sent: contradictions are user mistakes. */
export function checkRecordRequest(request: Pick<RecordRequest, 'redact' | 'redactPaths' | 'timeoutMs'>): void {
  if (request.redact === false && (request.redactPaths?.length ?? 0) > 0) {
    throw new UsageError('--no-redact and --redact contradict each other. Keep one of them.');
  }
  if (request.timeoutMs !== undefined && !(request.timeoutMs > 0)) {
    throw new UsageError(`--timeout must be more than 0 (got ${request.timeoutMs} ms). Use e.g. --timeout 2s.`);
  }
}

/** Refuses an output path whose directory is missing or unwritable, before any network traffic. */
async function checkOutput(output: string, force: boolean): Promise<void> {
  const dir = dirname(resolve(output));
  const shown = dirname(output);
  try {
    if (!(await stat(dir)).isDirectory()) throw new UsageError(`Output directory "${shown}" is not a directory. Choose another -o path.`);
    await access(dir, constants.W_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`Output directory "${shown}" does not exist. Create it first, or choose another -o path.`);
    throw new UsageError(`Output directory "${shown}" is not writable (${code ?? 'error'}). Choose another -o path.`);
  }
  const existing = await stat(output).catch(() => undefined);
  if (existing?.isDirectory())
    throw new UsageError(`Output "${output}" is a directory. Name a file, e.g. ${join(output, 'recording.json')}.`);
  await checkWritableCassette(output, force);
}

async function recordByCrawl(request: RecordRequest, hooks: RecordHooks, started: number): Promise<RecordSummary> {
  const base = { how: 'crawl' as const, output: request.output, upstream: request.upstream };
  let result;
  try {
    result = await crawlImds({
      upstream: request.upstream,
      concurrency: request.concurrency,
      ratePerSecond: request.ratePerSecond,
      timeoutMs: request.timeoutMs,
      retries: request.retries,
      redact: request.redact,
      redactPaths: request.redactPaths,
      onProgress: hooks.onProgress,
      onWarning: hooks.onWarning,
      signal: request.signal,
    });
  } catch (error) {
    if (!request.signal.aborted) throw error;
    return {
      ...base,
      written: false,
      interrupted: true,
      entries: 0,
      requests: 0,
      errors: [],
      notFound: [],
      redacted: [],
      warnings: [],
      durationMs: performance.now() - started,
    };
  }
  const { cassette, errors } = result;
  // An incomplete crawl is not written unless asked: a cassette silently missing paths misleads every test that replays it.
  const write = errors.length === 0 || request.allowPartial === true;
  if (write) {
    if (errors.length > 0) cassette.meta.incomplete = errors.map((error) => error.path);
    // Live credentials (--no-redact): readable by the owner only, from the first byte on disk.
    await writeCassette(request.output, cassette, { ...(request.redact === false ? { mode: 0o600 } : {}), force: request.force });
  }
  return {
    ...base,
    written: write,
    interrupted: false,
    entries: Object.keys(cassette.entries).length,
    requests: result.requests ?? 0,
    errors,
    notFound: result.notFound ?? [],
    redacted: cassette.meta.redacted,
    warnings: result.warnings ?? [],
    imdsVersion: result.imdsVersion,
    instanceType: cassette.meta.instanceType,
    region: cassette.meta.region,
    durationMs: performance.now() - started,
  };
}

async function recordByProxy(request: RecordRequest, hooks: RecordHooks, started: number): Promise<RecordSummary> {
  const mode = request.mode ?? 'new';
  let recorded = 0;
  const proxy = await startRecordingProxy({
    upstream: request.upstream,
    output: request.output,
    mode,
    port: request.port,
    hostname: request.hostname,
    allowRemote: request.allowRemote,
    allowHosts: request.allowHosts,
    force: request.force,
    redact: request.redact,
    redactPaths: request.redactPaths,
    timeoutMs: request.timeoutMs,
    onRequest: (log) => {
      if (log.recorded) recorded++;
      hooks.onRequest?.(log, recorded);
    },
    onWriteError: hooks.onWriteError,
    onWarning: hooks.onWarning,
  });
  hooks.onListening?.({ url: proxy.url, upstream: request.upstream, output: request.output, mode });
  if (!request.signal.aborted) await new Promise((done) => request.signal.addEventListener('abort', done, { once: true }));
  const stats = await proxy.close();
  return {
    how: 'proxy',
    output: request.output,
    upstream: request.upstream,
    written: stats.writes > 0,
    interrupted: false,
    entries: stats.entries,
    requests: stats.requests,
    errors: [],
    notFound: [],
    redacted: stats.redacted,
    warnings: [],
    durationMs: performance.now() - started,
  };
}

/**
 * Runs `aemm record`: checks the upstream and the output path before any traffic, then crawls
 * (and writes once, atomically) or runs the recording proxy until `signal` aborts. A file written
 * with `redact: false` holds live credentials and is made readable by its owner only (0600).
 */
export async function recordCassette(request: RecordRequest, hooks: RecordHooks = {}): Promise<RecordSummary> {
  const started = performance.now();
  parseUpstream(request.upstream);
  checkRecordRequest(request);
  await checkOutput(request.output, request.force === true);
  return request.how === 'crawl' ? recordByCrawl(request, hooks, started) : recordByProxy(request, hooks, started);
}
