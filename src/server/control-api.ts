import type { IncomingMessage, ServerResponse } from 'node:http';
import { AemmError } from '../core/errors.js';
import type { FaultSettings, ThrottleSettings } from '../core/layers/layer-settings.js';
import type { ReplayControl, ReplayStatus } from '../core/replay-engine.js';
import type { TokenMode } from '../core/tokens.js';
import type { ControlVerb, LayerKind } from '../core/vocabulary.js';

/** Path prefix of the control API; real IMDS paths start with a version, never with this. */
export const CONTROL_PREFIX = '/__aemm/';
const MAX_BODY = 64 * 1024;

type Body = Record<string, unknown>;

/** A control body over the size limit: answered 413, and the connection closed. */
class TooLarge extends AemmError {
  constructor() {
    super('CONTROL_BODY', `The request body is over ${MAX_BODY} bytes. Send a smaller JSON object.`);
  }
}

type Handler = (control: ReplayControl, body: Body) => ReplayStatus;

// Bodies are JSON of any shape: the engine checks each setting as it applies it (a one-line
// UsageError, answered 400), so the casts below only hand them on. Every verb of the vocabulary
// must have a handler; `events` and `faults` are aliases.
const VERBS = {
  spot: (c, b) => c.spot(b),
  rebalance: (c, b) => c.rebalance(b),
  event: (c, b) => c.event(b),
  events: (c, b) => c.event(b),
  asg: (c, b) => c.asg(b),
  tags: (c, b) => c.tags(b),
  fault: (c, b) => c.fault(b as unknown as FaultSettings),
  faults: (c, b) => c.fault(b as unknown as FaultSettings),
  throttle: (c, b) => c.throttle(b as unknown as ThrottleSettings),
  apply: (c, b) => c.apply(b),
  advance: (c, b) => c.advance(b.by as string),
  time: (c, b) => c.setTime(b.at as string),
  imdsv2: (c, b) => c.setTokenMode(b.mode as TokenMode),
  clear: (c, b) => c.clear(b.kind as LayerKind | undefined),
  reset: (c) => c.reset(),
} satisfies Record<Exclude<ControlVerb, 'status'>, Handler> & Record<string, Handler>;

/** Every control route, for the 404 message and the README. */
export const CONTROL_ROUTES = ['GET status', ...Object.keys(VERBS).map((verb) => `POST ${verb}`)];

function send(res: ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readJson(req: IncomingMessage): Promise<Body> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        // Stop reading but keep the socket, so the client still gets the 413.
        req.pause();
        req.removeAllListeners('data');
        reject(new TooLarge());
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve({});
      try {
        const value: unknown = JSON.parse(text);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
        resolve(value as Body);
      } catch {
        reject(new AemmError('CONTROL_BODY', 'The request body is not a JSON object. Send e.g. {"action": "stop", "delay": "10s"}.'));
      }
    });
    req.on('error', reject);
  });
}

/**
 * Answers a control request (`GET /__aemm/status`, `POST /__aemm/<verb>` with a JSON body) with
 * the new status as JSON, or a JSON error: 400 for bad settings, 404 unknown verb, 405 wrong method.
 */
export async function handleControlRequest(req: IncomingMessage, res: ServerResponse, control: ReplayControl): Promise<number> {
  const verb = (req.url ?? '').slice(CONTROL_PREFIX.length).replace(/[?#].*$/, '').replace(/\/+$/, '');
  if (verb === 'status') {
    if (req.method !== 'GET') return reply(res, 405, { error: 'Use GET for /__aemm/status.' });
    return reply(res, 200, control.status());
  }
  // Own properties only: "constructor" or "toString" are not verbs.
  const action: Handler | undefined = Object.hasOwn(VERBS, verb) ? (VERBS as Record<string, Handler>)[verb] : undefined;
  if (!action) return reply(res, 404, { error: `No control verb "${verb}". Known: ${CONTROL_ROUTES.join(', ')}.` });
  if (req.method !== 'POST') return reply(res, 405, { error: `Use POST for /__aemm/${verb}.` });
  try {
    const body = await readJson(req);
    return reply(res, 200, action(control, body));
  } catch (error) {
    if (error instanceof TooLarge) {
      res.shouldKeepAlive = false;
      return reply(res, 413, { error: error.message });
    }
    if (error instanceof AemmError) return reply(res, 400, { error: error.message });
    throw error;
  }
}

function reply(res: ServerResponse, status: number, value: unknown): number {
  send(res, status, value);
  return status;
}
