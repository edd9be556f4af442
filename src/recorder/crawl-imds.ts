import { CASSETTE_FORMAT, type Cassette, type Entry } from '../core/cassette.js';
import { AemmError, UsageError } from '../core/errors.js';
import { createRecordingMeta } from './create-recording-meta.js';
import { createRedactor } from './create-redactor.js';
import { createTokenSession, type TokenSession } from './create-token-session.js';
import { createUpstreamClient, UpstreamFailure, type UpstreamClient, type UpstreamResponse } from './create-upstream-client.js';
import { parseUpstream } from './parse-upstream.js';
import { toEntry } from './to-entry.js';

/** How to crawl an upstream IMDS. */
export interface CrawlOptions {
  /** Origin of the IMDS to crawl, e.g. `http://169.254.169.254`. */
  upstream: string;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Requests started per second at most, retries included (default 100). */
  ratePerSecond?: number;
  /** Per attempt (default 2000 ms). */
  timeoutMs?: number;
  /** Extra attempts after a timeout, connection error, 429 or 5xx (default 4). */
  retries?: number;
  /** Replace credentials by well-formed fakes (default true). */
  redact?: boolean;
  /** Path globs whose whole body is replaced (`user-data`, `meta-data/tags/**`). */
  redactPaths?: string[];
  onProgress?: (progress: { done: number; found: number; errors: number }) => void;
  /** Called once per warning as it arises (they are also in the result). */
  onWarning?: (message: string) => void;
  signal?: AbortSignal;
  /** First retry delay, doubled per attempt with jitter (default 200 ms). */
  retryDelayMs?: number;
  /** Stop discovering after this many paths, against an upstream whose tree never ends (default 10000). */
  maxPaths?: number;
}

/** What a crawl captured, and what it could not. */
export interface CrawlResult {
  cassette: Cassette;
  /** Paths that could not be fetched after every retry; empty when the crawl is complete. */
  errors: Array<{ path: string; reason: string }>;
  /** Listed paths that answered 404: not recorded (replay drops them from the listing too). */
  notFound?: string[];
  /** `v2` when the crawl used an IMDSv2 token, `v1` when the upstream refused tokens. */
  imdsVersion?: 'v1' | 'v2';
  /** HTTP attempts sent, token PUTs and retries included. */
  requests?: number;
  /** One line each, e.g. why the crawl fell back to IMDSv1. */
  warnings?: string[];
}

type Kind = 'root' | 'dir' | 'leaf' | 'user-data' | 'probe-dir';

// Version roots list their directories without a slash (`dynamic\nmeta-data\nuser-data`, imds-facts §1).
const VERSION_ROOT_DIRS = new Set(['meta-data', 'dynamic']);
// Newer SDKs try this first and fall back on 404 (imds-facts §4); record it even when `iam/` does not list it.
const EXTENDED_CREDENTIALS = 'security-credentials-extended/';
const REDIRECTS = new Set([301, 302, 307, 308]);

/** The request path for a cassette key: each segment percent-encoded except `:` (MACs), as cloud-init does. */
function toRequestPath(key: string): string {
  return key.split('/').map((segment) => encodeURIComponent(segment).replace(/%3A/gi, ':')).join('/');
}

/** Whether a listed name can be followed without leaving its directory. */
function isSafeName(name: string): boolean {
  const bare = name.endsWith('/') ? name.slice(0, -1) : name;
  return bare !== '' && bare !== '.' && bare !== '..' && !/[/\\?#\u0000-\u001f]/.test(bare);
}

function listedNames(body: string): string[] {
  return body.split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The crawl was aborted.', 'AbortError');
}

/**
 * Walks an upstream IMDS the way cloud-init's materializer does and captures it as a cassette:
 * `/`, `/latest/`, every listing and every leaf byte-exact with its status and content type,
 * `dynamic/` and `user-data` (404 = none), credentials redacted. Tokens are used, never recorded.
 * Rejects only when the upstream cannot be reached at all or `signal` aborts; single paths that
 * fail after every retry are listed in `errors`, and the cassette holds everything else.
 */
export async function crawlImds(options: CrawlOptions): Promise<CrawlResult> {
  const upstream = parseUpstream(options.upstream);
  const origin = upstream.origin;
  const signal = options.signal;
  const maxPaths = options.maxPaths ?? 10_000;
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw new UsageError(`Timeout ${options.timeoutMs} ms is not more than 0. Give the upstream time to answer, e.g. 2000 ms (--timeout 2s).`);
  }
  const client: UpstreamClient = createUpstreamClient({
    upstream,
    concurrency: options.concurrency,
    ratePerSecond: options.ratePerSecond,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    retryDelayMs: options.retryDelayMs,
    signal,
  });
  const redactor = createRedactor({ credentials: options.redact ?? true, paths: options.redactPaths });
  const entries: Record<string, Entry> = {};
  const errors: Array<{ path: string; reason: string }> = [];
  const notFound: string[] = [];
  const seen = new Set<string>();
  const pending = new Set<Promise<void>>();
  let done = 0;
  let capped = false;
  const report = (): void => options.onProgress?.({ done, found: seen.size, errors: errors.length });

  try {
    const session: TokenSession = await createTokenSession(client, origin);
    for (const warning of session.warnings) options.onWarning?.(warning);

    async function get(key: string): Promise<UpstreamResponse> {
      let ticket = session.current();
      let response = await client.request('GET', toRequestPath(key), ticket.headers);
      if (response.status === 401) {
        // The token expired or was revoked: real clients re-PUT once and retry (imds-facts §6).
        ticket = await session.renew(ticket);
        response = await client.request('GET', toRequestPath(key), ticket.headers);
      }
      return response;
    }

    function record(key: string, response: UpstreamResponse): Entry {
      const entry = redactor.redactEntry(key, toEntry(response.status, response.headers, response.body));
      entries[key] = entry;
      return entry;
    }

    function follow(dir: string, body: string): void {
      const atVersionRoot = dir.indexOf('/', 1) === dir.length - 1;
      for (const name of listedNames(body)) {
        // public-keys lists `0=my-key`; the key's directory is `0/` (imds-facts §4).
        const indexed = dir.endsWith('/meta-data/public-keys/') ? /^(\d+)=/.exec(name) : null;
        if (indexed) schedule(`${dir}${indexed[1]}/`, 'dir');
        else if (!isSafeName(name)) errors.push({ path: dir + name, reason: 'listed name is not a path segment; not followed' });
        else if (name.endsWith('/')) schedule(dir + name, 'dir');
        else if (atVersionRoot && VERSION_ROOT_DIRS.has(name)) schedule(`${dir}${name}/`, 'dir');
        else if (atVersionRoot && name === 'user-data') schedule(dir + name, 'user-data');
        else schedule(dir + name, 'leaf');
      }
      if (dir.endsWith('/meta-data/iam/') && !listedNames(body).includes(EXTENDED_CREDENTIALS)) {
        schedule(dir + EXTENDED_CREDENTIALS, 'probe-dir');
      }
    }

    async function visit(key: string, kind: Kind): Promise<void> {
      const response = await get(key);
      const { status } = response;
      if (status === 200) {
        const entry = record(key, response);
        if ((kind === 'dir' || kind === 'probe-dir') && entry.body !== undefined) follow(key, response.body.toString('utf8'));
      } else if (REDIRECTS.has(status) && kind === 'leaf') {
        // A listed name without a slash that is a directory: real IMDS redirects to `name/`.
        schedule(`${key}/`, 'dir');
      } else if (kind === 'probe-dir' || (kind === 'user-data' && status === 404)) {
        // Nothing to record: an unlisted path we only tried, or no user-data given at launch (imds-facts §4).
        return;
      } else if (status === 404) {
        notFound.push(key);
      } else {
        errors.push({ path: key, reason: `HTTP ${status}` });
      }
    }

    function schedule(key: string, kind: Kind): void {
      if (seen.has(key)) return;
      if (seen.size >= maxPaths) {
        if (!capped) errors.push({ path: key, reason: `not fetched: the tree has more than ${maxPaths} paths` });
        capped = true;
        return;
      }
      seen.add(key);
      const task = visit(key, kind)
        .catch((error: unknown) => {
          if (error instanceof UpstreamFailure) errors.push({ path: key, reason: error.reason });
          else if (!signal?.aborted) errors.push({ path: key, reason: (error as Error).message });
        })
        .finally(() => {
          done++;
          pending.delete(task);
          report();
        });
      pending.add(task);
      report();
    }

    schedule('/', 'root');
    schedule('/latest/', 'dir');
    while (pending.size > 0) await Promise.all([...pending]);
    if (signal?.aborted) throw abortReason(signal);

    const scrubbed = redactor.scrub(entries);
    const leaks = redactor.findLeaks(scrubbed);
    if (leaks.length > 0) {
      throw new AemmError('REDACTION_FAILED', `Refusing to write a recording that still holds secrets (${leaks.join(', ')}). Report this as a bug; nothing was written.`);
    }
    const sorted: Record<string, Entry> = {};
    for (const key of Object.keys(scrubbed).sort()) sorted[key] = scrubbed[key]!;
    errors.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const cassette: Cassette = {
      format: CASSETTE_FORMAT,
      meta: createRecordingMeta({ source: origin, entries: sorted, redacted: redactor.redacted }),
      entries: sorted,
    };
    return { cassette, errors, notFound: notFound.sort(), imdsVersion: session.version, requests: client.attempts, warnings: [...session.warnings] };
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw error;
  } finally {
    client.close();
  }
}
