import type { ClientRequest, IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type ProxyServer from 'http-proxy';
import type { ProxiedAnswer } from './create-answer-recorder.js';
import { answerPlain } from './answer-plain.js';
import { stripHopByHop } from './strip-hop-by-hop.js';
import type { RecordTarget } from './to-record-target.js';

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

/** A request to forward, as the target guard accepted it. */
export interface ExchangeRequest {
  method: string;
  path: string;
  target: RecordTarget | undefined;
  /** The client named the upstream itself (`GET http://169.254.169.254/…`): its redirects stay as they are. */
  absoluteForm: boolean;
}

/** What the exchange handler needs from the proxy around it. */
export interface ExchangeHandlerOptions {
  proxy: ProxyServer;
  upstream: URL;
  timeoutMs: number;
  /** The origin a client that follows a redirect should come back to, e.g. `http://127.0.0.1:1338`. */
  ownOrigin(req: IncomingMessage): string;
  /** Records an answer after the client has it; resolves whether an entry changed. */
  record(answer: ProxiedAnswer): Promise<boolean>;
  log(entry: ProxyRequestLog): void;
}

/** Forwards accepted requests to the upstream and passes complete answers back. */
export interface ExchangeHandler {
  forward(req: IncomingMessage, res: ServerResponse, request: ExchangeRequest): void;
  /** Resolves once every answer already passed on has been recorded (or not). */
  settle(): Promise<void>;
}

// IMDS values are small (user-data is at most 16 KiB, documents a few KiB): a larger answer is no IMDS answer.
const MAX_BODY_BYTES = 1024 * 1024;

interface Exchange extends ExchangeRequest {
  /** The client's headers as forwarded, for a directory probe. */
  headers: IncomingHttpHeaders;
  upstreamRequest?: ClientRequest;
  deadline?: NodeJS.Timeout;
  /** The client has its answer (or its connection was closed); later events change nothing. */
  answered: boolean;
}

/**
 * Registers on `proxy` (with `selfHandleResponse`) and handles each exchange: a deadline for the
 * whole answer, a size cap, hop-by-hop headers stripped, redirects to the upstream pointed back
 * at the proxy, and the answer recorded only once it is complete.
 */
export function createExchangeHandler(options: ExchangeHandlerOptions): ExchangeHandler {
  const { proxy, upstream, timeoutMs } = options;
  const exchanges = new WeakMap<IncomingMessage, Exchange>();
  const recording = new Set<Promise<void>>();

  /** Ends an exchange the upstream did not complete: the client gets `status` (or a closed connection), nothing is recorded. */
  function fail(exchange: Exchange, res: ServerResponse, status: number, message: string): void {
    if (exchange.answered) return;
    exchange.answered = true;
    clearTimeout(exchange.deadline);
    exchange.upstreamRequest?.destroy();
    if (res.headersSent || res.destroyed) res.destroy();
    else answerPlain(res, status, message);
    options.log({ method: exchange.method, path: exchange.path, status, from: 'proxy', recorded: false });
  }

  function pass(exchange: Exchange, req: IncomingMessage, res: ServerResponse, upstreamRes: IncomingMessage, body: Buffer): void {
    exchange.answered = true;
    clearTimeout(exchange.deadline);
    const status = upstreamRes.statusCode ?? 502;
    const headers: IncomingHttpHeaders = { ...upstreamRes.headers };
    stripHopByHop(headers);
    if (exchange.method !== 'HEAD') headers['content-length'] = String(body.length);
    const location = headers.location;
    if (typeof location === 'string' && !exchange.absoluteForm && location.startsWith(`${upstream.origin}/`)) {
      // Keep a client that follows the redirect on the proxy (real IMDS names its own address).
      headers.location = `${options.ownOrigin(req)}${location.slice(upstream.origin.length)}`;
    }
    res.writeHead(status, upstreamRes.statusMessage, headers);
    res.end(exchange.method === 'HEAD' ? undefined : body);
    const done = (recorded: boolean): void =>
      options.log({ method: exchange.method, path: exchange.path, status, from: 'upstream', recorded });
    const task = options
      .record({
        method: exchange.method,
        target: exchange.target,
        requestHeaders: exchange.headers,
        status,
        headers: upstreamRes.headers,
        body,
      })
      .then(done, () => done(false));
    recording.add(task);
    void task.finally(() => recording.delete(task));
  }

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
      fail(
        exchange,
        res,
        502,
        `aemm record: upstream ${upstream.origin} answered ${exchange.path} with more than 1 MiB, which is no IMDS answer; nothing was forwarded or recorded.`,
      );
      proxyRes.destroy();
    });
    proxyRes.on('error', (error: NodeJS.ErrnoException) => {
      fail(exchange, res, 502, `aemm record: upstream ${upstream.origin} failed (${error.code ?? error.message}).`);
    });
    proxyRes.on('close', () => {
      if (!proxyRes.complete)
        fail(exchange, res, 502, `aemm record: upstream ${upstream.origin} closed the connection before the end of its answer.`);
    });
    proxyRes.on('end', () => {
      if (!exchange.answered) pass(exchange, req, res, proxyRes, Buffer.concat(chunks));
    });
  });

  proxy.on('error', (error: NodeJS.ErrnoException, req: IncomingMessage, res: ServerResponse | Socket) => {
    const exchange = exchanges.get(req);
    const reason = `aemm record: upstream ${upstream.origin} failed (${error.code ?? error.message}).`;
    if (exchange && 'writeHead' in res) {
      fail(exchange, res, 502, reason);
      return;
    }
    if ('writeHead' in res && !res.headersSent) answerPlain(res, 502, reason);
    else res.destroy();
    options.log({ method: req.method ?? 'GET', path: req.url ?? '/', status: 502, from: 'proxy', recorded: false });
  });

  return {
    forward(req, res, request) {
      req.url = request.path;
      stripHopByHop(req.headers);
      const exchange: Exchange = { ...request, headers: { ...req.headers }, answered: false };
      exchanges.set(req, exchange);
      // A deadline for the whole answer: an upstream that trickles bytes must not hold the client forever.
      exchange.deadline = setTimeout(() => {
        fail(
          exchange,
          res,
          504,
          `aemm record: upstream ${upstream.origin} did not answer ${request.path} within ${timeoutMs} ms (timed out); nothing was recorded.`,
        );
      }, timeoutMs);
      res.on('close', () => {
        clearTimeout(exchange.deadline);
        exchange.answered = true;
      });
      proxy.web(req, res);
    },
    async settle() {
      await Promise.all([...recording]);
    },
  };
}
