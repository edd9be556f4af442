import { request as httpRequest, type Agent, type OutgoingHttpHeaders } from 'node:http';
import type { UpstreamResponse } from './create-upstream-client.js';

/** One request to the upstream, with a deadline and a cap on the body taken. */
export interface UpstreamRequest {
  upstream: URL;
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  agent: Agent;
  /** From sending to the last body byte. */
  timeoutMs: number;
  maxBodyBytes: number;
  signal?: AbortSignal;
}

/** Why one request got no complete answer: `timeout`, `too-large` (the body passed the cap) or `network`. */
export class UpstreamRequestError extends Error {
  readonly kind: 'timeout' | 'too-large' | 'network';
  /** The status line of an answer whose body was too large. */
  readonly status?: number;

  constructor(kind: UpstreamRequestError['kind'], message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'UpstreamRequestError';
    this.kind = kind;
    this.status = options.status;
  }
}

/**
 * Sends one request and reads the whole answer, never more than `maxBodyBytes` of body and never
 * past `timeoutMs`; rejects with an UpstreamRequestError (or the signal's reason once aborted).
 */
export function sendUpstreamRequest(request: UpstreamRequest): Promise<UpstreamResponse> {
  const { signal } = request;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error?: unknown, response?: UpstreamResponse): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error === undefined) resolve(response!);
      else reject(signal?.aborted ? signal.reason : error);
    };
    const req = httpRequest({
      host: request.upstream.hostname.replace(/^\[|\]$/g, ''),
      port: request.upstream.port === '' ? 80 : Number(request.upstream.port),
      method: request.method,
      path: request.path,
      headers: request.headers,
      agent: request.agent,
      signal,
    });
    const timer = setTimeout(
      () => req.destroy(new UpstreamRequestError('timeout', `timed out after ${request.timeoutMs} ms`)),
      request.timeoutMs,
    );
    req.on('error', (error) =>
      settle(error instanceof UpstreamRequestError ? error : new UpstreamRequestError('network', error.message, { cause: error })),
    );
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= request.maxBodyBytes) chunks.push(chunk);
        else {
          settle(new UpstreamRequestError('too-large', `answer larger than ${request.maxBodyBytes} bytes`, { status: res.statusCode }));
          req.destroy();
        }
      });
      res.on('error', (error) => settle(new UpstreamRequestError('network', error.message, { cause: error })));
      res.on('end', () => settle(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.end();
  });
}
