import type { Cassette, Entry } from '../core/cassette.js';
import { UsageError } from '../core/errors.js';
import { createCrawlQueue } from './create-crawl-queue.js';
import { createRedactor } from './create-redactor.js';
import { createTokenSession, type TokenSession } from './create-token-session.js';
import { createUpstreamClient, UpstreamFailure, type UpstreamClient } from './create-upstream-client.js';
import { fetchImdsPath } from './fetch-imds-path.js';
import { listChildren, type CrawlKind } from './list-children.js';
import { parseUpstream } from './parse-upstream.js';
import { toEntry } from './to-entry.js';
import { toRecordedCassette } from './to-recorded-cassette.js';

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
  /** Stop discovering below this many path segments, against an upstream that lists itself (default 20; real IMDS goes 8 deep). */
  maxDepth?: number;
  /** Stop discovering after this long, in ms (default 120000): no upstream keeps a crawl busy for ever. */
  maxDurationMs?: number;
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

const REDIRECTS = new Set([301, 302, 307, 308]);

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
  const maxDepth = options.maxDepth ?? 20;
  const maxDurationMs = options.maxDurationMs ?? 120_000;
  if (options.timeoutMs !== undefined && !(options.timeoutMs > 0)) {
    throw new UsageError(`Timeout ${options.timeoutMs} ms is not more than 0. Give the upstream time to answer, e.g. 2000 ms.`);
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

  try {
    const session: TokenSession = await createTokenSession(client, origin);
    for (const warning of session.warnings) options.onWarning?.(warning);

    async function visit(key: string, kind: CrawlKind): Promise<void> {
      const response = await fetchImdsPath(client, session, key);
      const { status } = response;
      if (status === 200) {
        const entry = redactor.redactEntry(key, toEntry(status, response.headers, response.body));
        entries[key] = entry;
        if ((kind === 'dir' || kind === 'probe-dir') && entry.body !== undefined) {
          const listed = listChildren(key, response.body.toString('utf8'));
          for (const path of listed.refused) errors.push({ path, reason: 'listed name is not a path segment; not followed' });
          for (const child of listed.children) queue.schedule(child.key, child.kind);
        }
      } else if (REDIRECTS.has(status) && kind === 'leaf') {
        // A listed name without a slash that is a directory: real IMDS redirects to `name/`.
        queue.schedule(`${key}/`, 'dir');
      } else if (kind === 'probe-dir' || (kind === 'user-data' && status === 404)) {
        // Nothing to record: an unlisted path we only tried, or no user-data given at launch (docs/imds-behaviour.md §4).
      } else if (status === 404) {
        notFound.push(key);
      } else {
        errors.push({ path: key, reason: `HTTP ${status}` });
      }
    }

    const queue = createCrawlQueue({
      maxPaths,
      maxDepth,
      maxDurationMs,
      visit,
      onError(key, error) {
        if (error instanceof UpstreamFailure) errors.push({ path: key, reason: error.reason });
        else if (!signal?.aborted) errors.push({ path: key, reason: (error as Error).message });
      },
      onCapped: (key, limit) => {
        const reason =
          limit === 'paths'
            ? `the tree has more than ${maxPaths} paths`
            : limit === 'depth'
              ? `the tree is deeper than ${maxDepth} levels`
              : `the crawl ran longer than ${maxDurationMs / 1000} s`;
        errors.push({ path: key, reason: `not fetched: ${reason}` });
      },
      onProgress: ({ done, found }) => options.onProgress?.({ done, found, errors: errors.length }),
    });
    queue.schedule('/', 'root');
    queue.schedule('/latest/', 'dir');
    await queue.drain();
    if (signal?.aborted) throw abortReason(signal);

    const cassette = toRecordedCassette({ source: origin, entries, redactor, subject: 'the recording' });
    errors.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
      cassette,
      errors,
      notFound: notFound.sort(),
      imdsVersion: session.version,
      requests: client.attempts,
      warnings: [...session.warnings],
    };
  } catch (error) {
    if (signal?.aborted) throw abortReason(signal);
    throw error;
  } finally {
    client.close();
  }
}
