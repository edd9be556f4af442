import type { Cassette, Entry } from '../cassette.js';
import { viewCassette, type CassetteView } from '../cassette-view.js';
import { renderErrorPage } from '../error-pages.js';
import { collectPatches, mergePatches, type Layer, type LayerContext, type Patch } from '../layer.js';
import { formatEventDate, formatIsoSeconds } from '../layers/format-times.js';
import type { EventMock, MockConfig, SpotMock } from '../layers/mock-config.js';
import type { ImdsRequest, ImdsResponse, ResolveOptions } from '../resolve-request.js';
import { sha256 } from '../sha256.js';
import { checkToken, issueToken } from '../tokens.js';
import { formatGoJson, type GoJsonValue } from './format-go-json.js';

const META = '/latest/meta-data';
const DYNAMIC = '/latest/dynamic';
const TOKEN_PATH = '/latest/api/token';
const SPOT_ACTION = `${META}/spot/instance-action`;
const SPOT_TIME = `${META}/spot/termination-time`;
const REBALANCE = `${META}/events/recommendations/rebalance`;
const SCHEDULED = `${META}/events/maintenance/scheduled`;
const HISTORY = `${META}/events/maintenance/history`;
const LIFE_CYCLE = `${META}/instance-life-cycle`;
const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
const MAX_TTL = 21600;
const SPOT_LEAD_MS = 120_000;
const DAY = 86_400_000;
/** AEMM's `metadata.values.event-id`, the id of its one scheduled event. */
const FIRST_EVENT_ID = 'instance-event-1234567890abcdef0';
// AEMM's version and category listings; it knows no dated versions (imds-facts §7).
const FIXED_LISTINGS: Readonly<Record<string, string>> = { '/': 'latest\n', '/latest': 'dynamic\nmeta-data\n' };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);
const errorBodies = new Map<number, Uint8Array>();

interface RouteTable {
  mocks: MockConfig | undefined;
  /** Every path AEMM would have a handler for, sorted. */
  routes: string[];
  set: ReadonlySet<string>;
  /** Listing bodies already computed, by directory. */
  listings: Map<string, Uint8Array | null>;
}

const tables = new WeakMap<CassetteView, RouteTable>();

/** AEMM's 400 and 401 pages: UTF-8, the DOCTYPE on one line, 3- and 6-space indents (AEMM `pkg/server`). */
function renderUtf8Page(status: 400 | 401): string {
  const title = status === 400 ? '400 - Bad Request' : '401 - Unauthorized';
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n' +
    '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n' +
    '   <head>\n' +
    `      <title>${title}</title>\n` +
    '   </head>\n' +
    '   <body>\n' +
    `      <h1>${title}</h1>\n` +
    '   </body>\n' +
    '</html>\n'
  );
}

/**
 * An error as AEMM answers it through Go's `http.Error`: `text/plain; charset=utf-8`, nosniff, and
 * the page plus a newline. 400 and 401 use AEMM's UTF-8 pages, everything else the iso-8859-1
 * template of its 404 (the same bytes real IMDS sends).
 */
export function renderAemmError(status: number, head: boolean): ImdsResponse {
  let body = errorBodies.get(status);
  if (!body) errorBodies.set(status, (body = encoder.encode(status === 400 || status === 401 ? renderUtf8Page(status) : renderErrorPage(status))));
  return {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'content-length': String(body.length) },
    body: head ? EMPTY : body,
  };
}

/** What Go's HTTP server answers to a request target it cannot parse (a bad %-escape), before AEMM sees it. */
export function renderAemmMalformedRequest(head: boolean): ImdsResponse {
  const body = encoder.encode('400 Bad Request');
  return {
    status: 400,
    headers: { 'content-type': 'text/plain; charset=utf-8', connection: 'close', 'content-length': String(body.length) },
    body: head ? EMPTY : body,
  };
}

function respond(status: number, headers: Record<string, string>, body: Uint8Array, head: boolean): ImdsResponse {
  headers['content-length'] = String(body.length);
  return { status, headers, body: head ? EMPTY : body };
}

function text(body: string, head: boolean): ImdsResponse {
  return respond(200, { 'content-type': 'text/plain' }, encoder.encode(body), head);
}

/** AEMM's JSON documents: `json.MarshalIndent` with a tab, served as application/json (imds-facts §7, AEMM#207). */
function json(value: GoJsonValue, head: boolean): ImdsResponse {
  return respond(200, { 'content-type': 'application/json' }, encoder.encode(formatGoJson(value, { indent: '\t' })), head);
}

/**
 * The path AEMM's router sees: decoded, repeated slashes collapsed, and one trailing slash
 * stripped (AEMM's middleware does that instead of redirecting); undefined when undecodable.
 */
function parseAemmPath(target: string): string | undefined {
  let path = target;
  if (!path.startsWith('/')) {
    const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(path);
    if (!match) return undefined;
    path = match[1] || '/';
  }
  const end = path.search(/[?#]/);
  if (end !== -1) path = path.slice(0, end);
  try {
    path = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  // AEMM's router answered `//latest/…` with a 301 that the AWS JS SDK does not follow; the cleaned path is served instead.
  path = path.replace(/\/{2,}/g, '/');
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** The notice paths AEMM registers for the mocks that run, whether or not their notice shows yet. */
function noticeRoutes(mocks: MockConfig | undefined): string[] {
  const routes: string[] = [];
  if (mocks?.spot) routes.push(SPOT_ACTION, SPOT_TIME);
  if (mocks?.rebalance) routes.push(REBALANCE);
  if (mocks?.events?.length) routes.push(SCHEDULED);
  if (mocks?.asg) routes.push(`${META}/autoscaling/target-lifecycle-state`);
  return routes;
}

function isRouteKey(key: string): boolean {
  return key.startsWith('/latest/') && !key.endsWith('/');
}

/** Every leaf AEMM would route: the cassette's, the layers' additions, and the notice paths of the mocks. */
function routeTableOf(view: CassetteView, patches: readonly Patch[], mocks: MockConfig | undefined): RouteTable {
  const cached = tables.get(view);
  if (cached && cached.mocks === mocks) return cached;
  const base = view.cassette.entries;
  const keys = new Set<string>();
  for (const [key, entry] of Object.entries(base)) if (isRouteKey(key) && entry.status === 200) keys.add(key);
  for (const [key, entry] of mergePatches(patches)) if (entry && isRouteKey(key)) keys.add(key);
  const notices = noticeRoutes(mocks);
  // AEMM has no maintenance history; the events layer's history entry is ours, not AEMM's.
  const ours = mocks?.events?.length && !base[HISTORY] ? HISTORY : undefined;
  const routes = [...keys].filter((key) => key !== ours && (notices.includes(key) || view.entryAt(key) !== undefined));
  for (const key of notices) if (!keys.has(key)) routes.push(key);
  routes.sort();
  const table = { mocks, routes, set: new Set(routes), listings: new Map<string, Uint8Array | null>() };
  tables.set(view, table);
  return table;
}

/** A directory's children as AEMM's catch-all lists them: first path segment, `name/` for directories. */
function listChildren(routes: readonly string[], dir: string): string[] {
  const prefix = `${dir}/`;
  const names: string[] = [];
  const positions = new Map<string, number>();
  for (const route of routes) {
    if (!route.startsWith(prefix)) continue;
    const rest = route.slice(prefix.length);
    const slash = rest.indexOf('/');
    const name = slash === -1 ? rest : rest.slice(0, slash);
    const at = positions.get(name);
    if (at === undefined) {
      positions.set(name, names.length);
      names.push(slash === -1 ? name : `${name}/`);
    } else if (slash !== -1) {
      // A leaf that is also a directory (`security-credentials`) is listed as the directory.
      names[at] = `${name}/`;
    }
  }
  return names;
}

/** AEMM parses the TTL with Go's Atoi: an optional sign and digits, then 1..21600. */
function parseAemmTtl(header: string | undefined): number | undefined {
  if (header === undefined || !/^[+-]?\d+$/.test(header)) return undefined;
  const ttl = Number(header);
  return ttl >= 1 && ttl <= MAX_TTL ? ttl : undefined;
}

function issueAemmToken(request: ImdsRequest, options: ResolveOptions, head: boolean): ImdsResponse {
  const ttl = parseAemmTtl(request.headers[TTL_HEADER]);
  if (ttl === undefined) return renderAemmError(400, head);
  const token = issueToken(options.secret, options.now + ttl * 1000, options.nonce);
  return respond(200, { 'content-type': 'text/plain', [TTL_HEADER]: String(ttl) }, encoder.encode(token), head);
}

function hasValidToken(request: ImdsRequest, options: ResolveOptions): boolean {
  const token = request.headers[TOKEN_HEADER];
  return token !== undefined && token !== '' && checkToken(options.secret, token, options.now) === undefined;
}

/** A string field of the cassette's own JSON document at `key` (a recorded notice, or one AEMM's config fixed). */
function recordedField(cassette: Cassette, key: string, field: string): string | undefined {
  const body = cassette.entries[key]?.body;
  if (body === undefined) return undefined;
  try {
    const found = (JSON.parse(body) as Record<string, unknown>)[field];
    return typeof found === 'string' ? found : undefined;
  } catch {
    return undefined;
  }
}

/** AEMM's notice time: the configured one, else the request time plus two minutes (also for hibernate). */
function spotTime(spot: SpotMock, cassette: Cassette, now: number): string {
  if (spot.time !== undefined) return formatIsoSeconds(spot.time);
  return recordedField(cassette, SPOT_ACTION, 'time') ?? formatIsoSeconds(now + SPOT_LEAD_MS);
}

function eventId(event: EventMock, index: number): string {
  if (event.eventId) return event.eventId;
  if (index === 0) return FIRST_EVENT_ID;
  // The same ids the events layer gives, so both profiles name an event alike.
  const digest = sha256(encoder.encode(`${index}:${event.code}:${event.at}`));
  return `instance-event-${[...digest.subarray(0, 9)].map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, 17)}`;
}

/** One event in AEMM's field order; AEMM keeps completed and canceled events in `scheduled`, undecorated. */
function toAemmEvent(event: EventMock, index: number): GoJsonValue {
  const notBefore = event.notBefore ?? event.at;
  return {
    Code: event.code,
    Description: event.description ?? `The instance is scheduled for ${event.code}`,
    State: event.state,
    EventId: eventId(event, index),
    NotBefore: formatEventDate(notBefore),
    NotAfter: formatEventDate(event.notAfter ?? notBefore + 7 * DAY),
    NotBeforeDeadline: formatEventDate(event.notBeforeDeadline ?? notBefore + 9 * DAY),
  };
}

function isEmptyList(view: CassetteView, entry: Entry | undefined): boolean {
  return entry === undefined || decoder.decode(view.bodyOf(entry)).trim() === '[]';
}

/** Scheduled events: 404 until their trigger (AEMM's delay), then every due event as a JSON array. */
function serveEvents(events: readonly EventMock[], view: CassetteView, now: number, head: boolean): ImdsResponse {
  const due = events.filter((event) => now >= event.at);
  // The events layer shows nothing to a client that mock-ip-count turned away; AEMM answers that client 404.
  if (due.length === 0 || (isEmptyList(view, view.entryAt(SCHEDULED)) && isEmptyList(view, view.entryAt(HISTORY)))) return renderAemmError(404, head);
  return json(due.map((event) => toAemmEvent(event, events.indexOf(event))), head);
}

function serveLeaf(key: string, view: CassetteView, options: ResolveOptions, head: boolean): ImdsResponse {
  const { mocks, cassette, now } = options;
  // The layers decide whether a notice shows (trigger time, mock-ip-count); the bytes are AEMM's.
  if (mocks?.spot && (key === SPOT_ACTION || key === SPOT_TIME)) {
    if (view.entryAt(key) === undefined) return renderAemmError(404, head);
    const time = spotTime(mocks.spot, cassette, now);
    return key === SPOT_ACTION ? json({ action: mocks.spot.action, time }, head) : text(time, head);
  }
  if (mocks?.rebalance && key === REBALANCE) {
    if (view.entryAt(key) === undefined) return renderAemmError(404, head);
    return json({ noticeTime: recordedField(cassette, REBALANCE, 'noticeTime') ?? formatIsoSeconds(now) }, head);
  }
  if (mocks?.events?.length && key === SCHEDULED) return serveEvents(mocks.events, view, now, head);
  // AEMM's instance-life-cycle stays what its config says while a spot notice runs.
  const entry = mocks?.spot && key === LIFE_CYCLE ? cassette.entries[key] : view.entryAt(key);
  if (!entry) return renderAemmError(404, head);
  if (entry.status >= 400) return renderAemmError(entry.status, head);
  return respond(entry.status, { 'content-type': entry.headers['content-type'] ?? 'text/plain' }, view.bodyOf(entry), head);
}

/**
 * Answers a request the way AEMM v1.12 does, from the same cassette and layers as the `imds`
 * profile: trailing slashes stripped instead of 301s, catch-all listings (a final newline only at
 * the top), tab-indented application/json documents, AEMM's error pages, and its IMDSv2 rules —
 * tokens ignored unless required, and then checked only on routes, not on sub-listings or 404s
 * (imds-facts §7).
 */
export function answerAemmRequest(request: ImdsRequest, options: ResolveOptions, layers: readonly Layer[], context: LayerContext): ImdsResponse {
  const method = request.method.toUpperCase();
  const head = method === 'HEAD';
  const path = parseAemmPath(request.path);
  if (path === undefined) return renderAemmMalformedRequest(head);
  // The token route answers any other method with an empty 200; every other route ignores the method.
  if (path === TOKEN_PATH) return method === 'PUT' ? issueAemmToken(request, options, head) : respond(200, {}, EMPTY, head);

  const patches = collectPatches(layers, context);
  const view = viewCassette(options.cassette, patches);
  const table = routeTableOf(view, patches, options.mocks);
  const fixed = FIXED_LISTINGS[path];
  const topListing = fixed !== undefined || path === META || path === DYNAMIC;
  const leaf = table.set.has(path);
  if ((topListing || leaf) && options.imdsv2 === 'required' && !hasValidToken(request, options)) return renderAemmError(401, head);

  if (fixed !== undefined) return text(fixed, head);
  if (leaf) return serveLeaf(path, view, options, head);
  if (path === META || path === DYNAMIC || path.startsWith(`${META}/`) || path.startsWith(`${DYNAMIC}/`)) {
    let listing = table.listings.get(path);
    if (listing === undefined) {
      const names = listChildren(table.routes, path);
      listing = names.length > 0 ? encoder.encode(names.join('\n') + (topListing ? '\n' : '')) : null;
      // Unknown paths are not remembered, so a client probing at random cannot grow the cache.
      if (listing) table.listings.set(path, listing);
    }
    if (listing) return respond(200, { 'content-type': 'text/plain' }, listing, head);
  }
  return renderAemmError(404, head);
}
