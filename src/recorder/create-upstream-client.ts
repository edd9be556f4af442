import { setMaxListeners } from 'node:events';
import { Agent, type IncomingHttpHeaders } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRateLimiter } from './create-rate-limiter.js';
import { sendUpstreamRequest, UpstreamRequestError } from './send-upstream-request.js';

/** One complete answer from the upstream. */
export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** How the client talks to the upstream: how many at once, how fast, how patiently. */
export interface UpstreamClientOptions {
  upstream: URL;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Requests started per second at most, retries included (default 100). */
  ratePerSecond?: number;
  /** Per attempt, from sending to the last body byte (default 2000 ms). */
  timeoutMs?: number;
  /** Extra attempts after a timeout, a connection error, a 429 or a 5xx (default 4). */
  retries?: number;
  /** First backoff delay; it doubles per attempt, with jitter (default 200 ms). */
  retryDelayMs?: number;
  /** Longest body taken (default 1 MiB); a longer answer fails at once, without retries. */
  maxBodyBytes?: number;
  signal?: AbortSignal;
}

/** A request that still failed after every attempt; `reason` is safe to show (it never holds a token). */
export class UpstreamFailure extends Error {
  readonly reason: string;
  readonly status?: number;
  /** The last attempt got no complete answer in time (as a token PUT whose reply hits the hop limit). */
  readonly timedOut: boolean;

  constructor(reason: string, status?: number, timedOut = false) {
    super(reason);
    this.name = 'UpstreamFailure';
    this.reason = reason;
    this.status = status;
    this.timedOut = timedOut;
  }
}

/** Sends requests to one upstream with bounded concurrency, a rate limit and retries. */
export interface UpstreamClient {
  request(method: string, path: string, headers?: Record<string, string>): Promise<UpstreamResponse>;
  /** Attempts sent so far, retries included. */
  readonly attempts: number;
  /** Drops idle keep-alive connections. */
  close(): void;
}

// Real IMDS throttles by dropping packets (timeouts) and may answer 429 or 5xx (docs/imds-behaviour.md §3).
const RETRY_STATUS = (status: number): boolean => status === 429 || status >= 500;
const MAX_DELAY_MS = 5_000;
// IMDS values are small (user-data is at most 16 KiB); anything far larger is not an IMDS answer.
const MAX_BODY_BYTES = 1024 * 1024;

class AttemptError extends Error {
  constructor(
    readonly reason: string,
    readonly timedOut = false,
  ) {
    super(reason);
  }
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

function describeNetworkError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
      return 'connection reset (ECONNRESET)';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host unreachable (${error.code})`;
    default:
      return error.code ? `${error.message} (${error.code})` : error.message;
  }
}

function createSemaphore(size: number): { acquire(signal?: AbortSignal): Promise<() => void> } {
  let free = size;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    acquire(signal) {
      signal?.throwIfAborted();
      if (free > 0) {
        free--;
        return Promise.resolve(release);
      }
      return new Promise((resolve, reject) => {
        const grant = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        };
        const onAbort = (): void => {
          waiting.splice(waiting.indexOf(grant), 1);
          reject(signal!.reason);
        };
        waiting.push(grant);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

function retryAfterMs(headers: IncomingHttpHeaders): number | undefined {
  const value = headers['retry-after'];
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Math.min(Number(value) * 1000, MAX_DELAY_MS);
}

/** A client for one upstream; every attempt waits for a concurrency slot, then for the rate limiter. */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const concurrency = options.concurrency ?? 4;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const retries = options.retries ?? 4;
  const retryDelayMs = options.retryDelayMs ?? 200;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  // One internal signal for every wait and request, so hundreds of them do not each listen on the caller's.
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const signal = controller.signal;
  const forwardAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) forwardAbort();
  else options.signal?.addEventListener('abort', forwardAbort, { once: true });
  const limiter = createRateLimiter(options.ratePerSecond ?? 100);
  const slots = createSemaphore(concurrency);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let attempts = 0;

  async function sendOnce(method: string, path: string, headers: Record<string, string>): Promise<UpstreamResponse> {
    try {
      return await sendUpstreamRequest({ upstream: options.upstream, method, path, headers, agent, timeoutMs, maxBodyBytes, signal });
    } catch (error) {
      if (!(error instanceof UpstreamRequestError)) throw error;
      switch (error.kind) {
        case 'timeout':
          throw new AttemptError(error.message, true);
        // Asking again would fetch the same oversized answer: fail now.
        case 'too-large':
          throw new UpstreamFailure(`answer larger than ${formatBytes(maxBodyBytes)}; not recorded`, error.status);
        case 'network':
          throw new AttemptError(describeNetworkError(error.cause as NodeJS.ErrnoException));
      }
    }
  }

  async function attempt(method: string, path: string, headers: Record<string, string>): Promise<UpstreamResponse> {
    const release = await slots.acquire(signal);
    try {
      await limiter.take(signal);
      attempts++;
      return await sendOnce(method, path, headers);
    } finally {
      release();
    }
  }

  return {
    get attempts() {
      return attempts;
    },
    async request(method, path, headers = {}) {
      for (let attemptNo = 0; ; attemptNo++) {
        let reason: string;
        let status: number | undefined;
        let wait: number | undefined;
        let timedOut = false;
        try {
          const response = await attempt(method, path, headers);
          if (!RETRY_STATUS(response.status)) return response;
          status = response.status;
          reason = `HTTP ${response.status}`;
          wait = retryAfterMs(response.headers);
        } catch (error) {
          if (!(error instanceof AttemptError)) throw error;
          reason = error.reason;
          timedOut = error.timedOut;
        }
        if (attemptNo >= retries) {
          const tries = attemptNo + 1;
          throw new UpstreamFailure(`${reason} (${tries} attempt${tries === 1 ? '' : 's'})`, status, timedOut);
        }
        // Exponential backoff with "equal jitter": half fixed, half random, so retries spread out.
        const backoff = Math.min(MAX_DELAY_MS, retryDelayMs * 2 ** attemptNo);
        await sleep(Math.max(wait ?? 0, backoff / 2 + Math.random() * (backoff / 2)), undefined, { signal });
      }
    },
    close() {
      options.signal?.removeEventListener('abort', forwardAbort);
      agent.destroy();
    },
  };
}
