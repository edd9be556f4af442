import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Journal } from '../core/journal/create-journal.js';
import type { ReplayEngine } from '../core/replay-engine.js';
import type { ImdsRequest, ImdsResponse } from '../core/resolve-request.js';
import { escapeControlChars } from '../core/escape-control-chars.js';
import type { SessionControl } from '../core/scenarios/create-replay-session.js';
import { answerReady, READY_PATH } from './answer-ready.js';
import { CONTROL_PREFIX, handleControlRequest } from './control-api.js';
import { toImdsRequest, writeImdsResponse } from './node-adapter.js';

/** One served request, as the replay log shows it. */
export interface RequestLog {
  method: string;
  path: string;
  /** HTTP status, or 0 when a fault dropped the connection or left it hanging. */
  status: number;
  /** `v2` when the request carried a token (or was a token PUT), `v1` otherwise, `control` for the control API. */
  version: 'v1' | 'v2' | 'control';
  /** `drop` or `hang` when a fault kept the request from being answered. */
  abort?: 'drop' | 'hang';
  /** How long the answer took, in ms (0 when the server does not time requests). */
  ms: number;
  clientAddress?: string;
}

/** Options of `createRequestListener`. */
export interface RequestListenerOptions {
  /** Serve the control API under /__aemm/. */
  controlApi: boolean;
  /** Host names the control API answers besides loopback names and the bound address. */
  allowHosts?: readonly string[];
  /** Called after each response is written. */
  onRequest?: (log: RequestLog) => void;
  /** Time each request for the log's `ms` (default true; false leaves it at 0). */
  timeRequests?: boolean;
  /** The journal `GET /__aemm/journal` reads. */
  journal?: Journal;
  /** What `GET /__aemm/ready` reports once the server is ready; undefined before (503). */
  ready?: () => Record<string, unknown> | undefined;
}

/** What the listener serves through: an engine, or a replay session around one (scenario, journal). */
export interface ServedEngine {
  resolve: ReplayEngine['resolve'];
  control: ReplayEngine['control'] | SessionControl;
}

/** A node:http request listener over a replay engine, with what its server's lifecycle needs. */
export interface ImdsRequestListener {
  (req: IncomingMessage, res: ServerResponse): void;
  /** Requests answered so far (control requests included). */
  readonly requests: number;
  /** Forgets the answers that latency faults still hold back (the server is closing). */
  cancelDelayed(): void;
}

const INTERNAL_ERROR: ImdsResponse = {
  status: 500,
  headers: { 'content-type': 'text/plain', 'content-length': '0', server: 'EC2ws' },
  body: new Uint8Array(0),
};

/**
 * The request listener of the replay server, in the style of @hono/node-server's
 * `getRequestListener`: convert the node request, resolve it on the engine, write the response
 * (after a latency fault's delay; a dropped one closes the socket, a hanging one never answers).
 */
export function createRequestListener(engine: ServedEngine, options: RequestListenerOptions): ImdsRequestListener {
  const { controlApi, onRequest, journal, ready } = options;
  const timed = onRequest !== undefined && options.timeRequests !== false;
  let requests = 0;
  // Latency faults wait on timers; cancelDelayed() clears those still waiting, and so does a client leaving.
  const delayed = new Set<NodeJS.Timeout>();

  const log = (request: ImdsRequest, response: Pick<ImdsResponse, 'status' | 'abort'>, started: number, control = false): void => {
    if (!onRequest) return;
    const version = control
      ? 'control'
      : request.headers['x-aws-ec2-metadata-token'] !== undefined || request.method === 'PUT'
        ? 'v2'
        : 'v1';
    // The log goes to a terminal: a request target may carry bytes a terminal would obey (0x9b is CSI).
    const entry: RequestLog = {
      method: request.method,
      path: escapeControlChars(request.path),
      status: response.status,
      version,
      ms: timed ? performance.now() - started : 0,
      clientAddress: request.clientAddress,
    };
    if (response.abort) entry.abort = response.abort;
    onRequest(entry);
  };

  const send = (req: IncomingMessage, res: ServerResponse, request: ImdsRequest, response: ImdsResponse, started: number): void => {
    if (response.abort === 'drop') req.socket.destroy();
    // A hanging request is never answered; it ends when the client gives up or the server closes.
    else if (response.abort !== 'hang') {
      try {
        writeImdsResponse(res, response);
      } catch (error) {
        // A response node:http refuses to send (a header it cannot carry) costs this request, not the server.
        process.emitWarning(`aemm: failed to send ${request.method} ${request.path}: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500, { 'content-length': '0', server: 'EC2ws' }).end();
        else res.destroy();
      }
    }
    log(request, response, started);
  };

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    requests++;
    // Timing costs two clock reads per request; skip them when nobody reads the durations.
    const started = timed ? performance.now() : 0;
    const request = toImdsRequest(req);
    // Readiness is served with or without the control API: probes come from beyond loopback too.
    if (request.path === READY_PATH || request.path.startsWith(`${READY_PATH}?`)) {
      answerReady(req, res, ready?.());
      return log(request, { status: res.statusCode }, started, true);
    }
    if (controlApi && request.path.startsWith(CONTROL_PREFIX)) {
      void handleControlRequest(req, res, engine.control, { allowHosts: options.allowHosts, journal }).then(
        (status) => log(request, { status }, started, true),
        (error: unknown) => {
          process.emitWarning(`aemm: control request ${request.method} ${request.path} failed: ${String(error)}`);
          if (!res.headersSent) res.writeHead(500).end();
        },
      );
      return;
    }
    let response: ImdsResponse;
    try {
      response = engine.resolve(request, request.method === 'PUT' ? randomBytes(8) : undefined);
    } catch (error) {
      // A bug of ours must not take the server down with it; the client sees a 500.
      process.emitWarning(`aemm: failed to answer ${request.method} ${request.path}: ${(error as Error).stack ?? String(error)}`);
      response = INTERNAL_ERROR;
    }
    if (!response.delayMs) return send(req, res, request, response, started);
    const timer = setTimeout(() => {
      delayed.delete(timer);
      send(req, res, request, response, started);
    }, response.delayMs);
    delayed.add(timer);
    res.on('close', () => {
      clearTimeout(timer);
      delayed.delete(timer);
    });
  };
  return Object.defineProperties(listener, {
    requests: { get: () => requests },
    cancelDelayed: {
      value: () => {
        for (const timer of delayed) clearTimeout(timer);
        delayed.clear();
      },
    },
  }) as ImdsRequestListener;
}
