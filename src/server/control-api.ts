import type { IncomingMessage, ServerResponse } from 'node:http';
import { AemmError } from '../core/errors.js';
import type { FaultSettings, ThrottleSettings } from '../core/layers/layer-settings.js';
import type { ReplayControl, ReplayStatus } from '../core/replay-engine.js';
import type { TokenMode } from '../core/tokens.js';
import type { ControlVerb, LayerKind } from '../core/vocabulary.js';
import { isAllowedHost } from '../core/is-allowed-host.js';
import type { Journal, JournalFilter } from '../core/journal/create-journal.js';

/** Path prefix of the control API; real IMDS paths start with a version, never with this. */
export const CONTROL_PREFIX = '/__aemm/';
/**
 * Header every control POST must carry (any value). A web page cannot add it to a cross-site
 * request without a CORS preflight, which the control API never grants (CSRF).
 */
export const CONTROL_HEADER = 'x-aemm-control';
// A control body is a few settings; 16 KiB holds any honest one.
const MAX_BODY = 16 * 1024;
// Faults and scheduled events held at once: each is checked on every request.
const MAX_RULES = 100;

type Body = Record<string, unknown>;
/** The control a server hands in: the engine's, plus `signal` when a scenario can wait for one. */
type Control = ReplayControl & { signal?(name: string): ReplayStatus };

/** A client that went away before its body arrived: nobody to answer, nothing to report. */
class Aborted extends Error {}

/** A control body over the size limit: answered 413, and the connection closed. */
class TooLarge extends AemmError {
  constructor() {
    super('CONTROL_BODY', `The request body is over ${MAX_BODY} bytes. Send a smaller JSON object.`);
  }
}

type Handler = (control: Control, body: Body) => ReplayStatus;

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
  signal: (c, b) => {
    if (!c.signal)
      throw new AemmError('CONTROL_BODY', 'This server runs no scenario, so nothing waits for a signal. Start it with --scenario.');
    return c.signal(b.name as string);
  },
} satisfies Record<Exclude<ControlVerb, 'status'>, Handler> & Record<string, Handler>;

/** Every control route, for the 404 message and the README. */
export const CONTROL_ROUTES = ['GET status', 'GET journal', 'GET ready', ...Object.keys(VERBS).map((verb) => `POST ${verb}`)];
const JOURNAL_LIMIT = 10_000;

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
    req.on('close', () => {
      if (!req.complete) reject(new Aborted());
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
    req.on('error', () => reject(new Aborted()));
  });
}

/** How many faults and events a control body would add. */
function countRules(verb: string, body: Body): number {
  const count = (value: unknown): number => (value === undefined || value === null ? 0 : Array.isArray(value) ? value.length : 1);
  if (verb === 'fault' || verb === 'faults' || verb === 'event' || verb === 'events') return 1;
  return verb === 'apply' ? count(body.faults) + count(body.events) : 0;
}

/** Why a request may not use the control API, or undefined when it may. */
function refuse(req: IncomingMessage, options: ControlOptions): { status: number; error: string } | undefined {
  const policy = { localAddress: req.socket.localAddress, allowHosts: options.allowHosts };
  const host = req.headers.host;
  if (!isAllowedHost(host, policy)) {
    return {
      status: 403,
      error: `Host "${host}" does not name this server, so the control API refuses it (DNS rebinding). Use 127.0.0.1, or allow the name with --allow-host.`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost === undefined || originHost === '' || !isAllowedHost(originHost, policy)) {
      return {
        status: 403,
        error: `Origin "${origin}" is another site; the control API answers no web page (CSRF). Use aemm control or send no Origin.`,
      };
    }
  }
  if (req.method !== 'POST') return undefined;
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== 'application/json') return { status: 415, error: 'Send the control body as JSON with Content-Type: application/json.' };
  if (req.headers[CONTROL_HEADER] === undefined)
    return { status: 403, error: `Send the header ${CONTROL_HEADER}: 1 with every control POST (aemm control does).` };
  return undefined;
}

/** Who may use the control API besides loopback. */
export interface ControlOptions {
  /** Host names or addresses allowed in Host and Origin besides loopback and the bound address (`--allow-host`). */
  allowHosts?: readonly string[];
  /** The journal `GET /__aemm/journal` reads. */
  journal?: Journal;
}

/**
 * Answers a control request (`GET /__aemm/status`, `POST /__aemm/<verb>` with a JSON body) with
 * the new status as JSON, or a JSON error: 400 for bad settings, 404 unknown verb, 405 wrong method,
 * 403 for a Host that does not name this server, a foreign Origin or a POST without
 * `x-aemm-control`, 413 for a body over 16 KiB, 415 for a body that is not declared JSON. Resolves
 * 0 when the client left before its body arrived.
 */
export async function handleControlRequest(
  req: IncomingMessage,
  res: ServerResponse,
  control: Control,
  options: ControlOptions = {},
): Promise<number> {
  const refusal = refuse(req, options);
  if (refusal) {
    res.shouldKeepAlive = false;
    return reply(res, refusal.status, { error: refusal.error });
  }
  const verb = (req.url ?? '')
    .slice(CONTROL_PREFIX.length)
    .replace(/[?#].*$/, '')
    .replace(/\/+$/, '');
  if (verb === 'status') {
    if (req.method !== 'GET') return reply(res, 405, { error: 'Use GET for /__aemm/status.' });
    return reply(res, 200, control.status());
  }
  if (verb === 'journal') {
    if (req.method !== 'GET') return reply(res, 405, { error: 'Use GET for /__aemm/journal.' });
    const { journal } = options;
    if (!journal) return reply(res, 404, { error: 'The journal is off. Start aemm replay with --journal FILE or --journal-size N.' });
    return answerJournal(req, res, journal);
  }
  // Own properties only: "constructor" or "toString" are not verbs.
  const action: Handler | undefined = Object.hasOwn(VERBS, verb) ? (VERBS as Record<string, Handler>)[verb] : undefined;
  if (!action) return reply(res, 404, { error: `No control verb "${verb}". Known: ${CONTROL_ROUTES.join(', ')}.` });
  if (req.method !== 'POST') return reply(res, 405, { error: `Use POST for /__aemm/${verb}.` });
  try {
    const body = await readJson(req);
    const rules = countRules(verb, body);
    if (rules > 0 && control.status().mocks.filter((mock) => mock.kind === 'fault' || mock.kind === 'event').length + rules > MAX_RULES) {
      return reply(res, 400, {
        error: `At most ${MAX_RULES} faults and events at once. Clear some first (aemm control clear --kind faults).`,
      });
    }
    return reply(res, 200, action(control, body));
  } catch (error) {
    if (error instanceof Aborted) {
      res.destroy();
      return 0;
    }
    if (error instanceof TooLarge) {
      res.shouldKeepAlive = false;
      return reply(res, 413, { error: error.message });
    }
    if (error instanceof AemmError) return reply(res, 400, { error: error.message });
    throw error;
  }
}

/** `GET /__aemm/journal?path=…&since=…&method=…&token=…&limit=…`: the matching entries still in memory, oldest first. */
function answerJournal(req: IncomingMessage, res: ServerResponse, journal: Journal): number {
  const query = new URL(req.url ?? '/', 'http://aemm').searchParams;
  const filter: JournalFilter = {};
  const path = query.get('path');
  const since = query.get('since');
  const method = query.get('method');
  const token = query.get('token');
  if (path) filter.path = path;
  if (since) filter.since = since;
  if (method) filter.method = method;
  if (token) {
    if (!['absent', 'presented', 'valid', 'invalid', 'present'].includes(token))
      return reply(res, 400, { error: `token "${token}" is unknown. Use absent, presented, valid, invalid or present.` });
    filter.token = token as JournalFilter['token'];
  }
  const limitText = query.get('limit');
  const limit = limitText === null ? JOURNAL_LIMIT : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > JOURNAL_LIMIT)
    return reply(res, 400, { error: `limit "${limitText}" is not a count. Use 1 to ${JOURNAL_LIMIT}.` });
  try {
    const entries = journal.entries(filter);
    // The oldest `limit` entries: a reader pages on with since=<the last seq it got>.
    return reply(res, 200, { total: journal.total, size: journal.size, entries: entries.slice(0, limit) });
  } catch (error) {
    if (error instanceof AemmError) return reply(res, 400, { error: error.message });
    throw error;
  }
}

function reply(res: ServerResponse, status: number, value: unknown): number {
  send(res, status, value);
  return status;
}
