import type { Cassette } from '../cassette.js';
import type { CassetteView } from '../cassette-view.js';
import { renderErrorPage } from '../error-pages.js';
import { formatEventDate, formatIsoSeconds } from '../layers/format-times.js';
import type { MaintenanceEvent, Notice, NoticeState, SpotNotice } from '../notice.js';
import type { Profile, RenderContext } from '../profile.js';
import type { ImdsResponse } from '../resolve-request.js';
import type { Route } from '../route-target.js';
import { parseTokenTtl } from '../tokens.js';
import { formatGoJson, type GoJsonValue } from './format-go-json.js';

const META = '/latest/meta-data';
const DYNAMIC = '/latest/dynamic';
const TOKEN_PATH = '/latest/api/token';
const SPOT_ACTION = `${META}/spot/instance-action`;
const SPOT_TIME = `${META}/spot/termination-time`;
const REBALANCE = `${META}/events/recommendations/rebalance`;
const SCHEDULED = `${META}/events/maintenance/scheduled`;
const ASG = `${META}/autoscaling/target-lifecycle-state`;
const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
// Response header names as Go's net/http writes them (canonical case), so AEMM's bytes come out.
const CONTENT_TYPE = 'Content-Type';
const CONTENT_LENGTH = 'Content-Length';
const ECHOED_TTL = 'X-Aws-Ec2-Metadata-Token-Ttl-Seconds';
const SPOT_LEAD_MS = 120_000;
// AEMM's version and category listings; it knows no dated versions (docs/imds-behaviour.md §7).
const FIXED_LISTINGS: Readonly<Record<string, string>> = { '/': 'latest\n', '/latest/': 'dynamic\nmeta-data\n' };

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

interface RouteTable {
  notices: readonly Notice[];
  /** Every path AEMM would have a handler for, sorted. */
  routes: string[];
  set: ReadonlySet<string>;
  /** Listing bodies already computed, by directory (no trailing slash). */
  listings: Map<string, Uint8Array | null>;
}

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

function respond(status: number, headers: Record<string, string>, body: Uint8Array, head: boolean): ImdsResponse {
  headers[CONTENT_LENGTH] = String(body.length);
  return { status, headers, body: head ? EMPTY : body };
}

function text(body: string, head: boolean): ImdsResponse {
  return respond(200, { [CONTENT_TYPE]: 'text/plain' }, encoder.encode(body), head);
}

/** AEMM's JSON documents: `json.MarshalIndent` with a tab, served as application/json (docs/imds-behaviour.md §7). */
function json(value: GoJsonValue, head: boolean): ImdsResponse {
  return respond(200, { [CONTENT_TYPE]: 'application/json' }, encoder.encode(formatGoJson(value, { indent: '\t' })), head);
}

/** The notice paths AEMM registers for the mocks that run, whether or not their notice shows yet. */
function noticeRoutes(notices: readonly Notice[]): string[] {
  const routes: string[] = [];
  for (const notice of notices) {
    if (notice.kind === 'spot') routes.push(SPOT_ACTION, SPOT_TIME);
    else if (notice.kind === 'rebalance') routes.push(REBALANCE);
    else if (notice.kind === 'events' && notice.events.length > 0) routes.push(SCHEDULED);
    else if (notice.kind === 'asg') routes.push(ASG);
  }
  return routes;
}

function isRouteKey(key: string): boolean {
  return key.startsWith('/latest/') && !key.endsWith('/');
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
    // A leaf that is also a directory (`security-credentials`) is listed twice, as AEMM does: the leaf, then `name/`.
    const listed = slash === -1 ? name : `${name}/`;
    if (!positions.has(listed)) {
      positions.set(listed, names.length);
      names.push(listed);
    }
  }
  return names;
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
function spotTime(spot: SpotNotice, cassette: Cassette, now: number): string {
  if (spot.time !== undefined) return formatIsoSeconds(spot.time);
  return recordedField(cassette, SPOT_ACTION, 'time') ?? formatIsoSeconds(now + SPOT_LEAD_MS);
}

/** One event in AEMM's field order; AEMM keeps completed and canceled events in `scheduled`, undecorated. */
function toAemmEvent(event: MaintenanceEvent): GoJsonValue {
  return {
    Code: event.code,
    Description: event.description,
    State: event.state,
    EventId: event.eventId,
    NotBefore: formatEventDate(event.notBefore),
    ...(event.notAfter === undefined ? {} : { NotAfter: formatEventDate(event.notAfter) }),
    ...(event.notBeforeDeadline === undefined ? {} : { NotBeforeDeadline: formatEventDate(event.notBeforeDeadline) }),
  };
}

/** The notice served at a notice path, when one runs. */
function noticeAt(key: string, notices: readonly NoticeState[]): NoticeState | undefined {
  const kind =
    key === SPOT_ACTION || key === SPOT_TIME
      ? 'spot'
      : key === REBALANCE
        ? 'rebalance'
        : key === SCHEDULED
          ? 'events'
          : key === ASG
            ? 'asg'
            : undefined;
  if (kind === undefined) return undefined;
  // Later notices of a kind win, as later layers do.
  for (let i = notices.length - 1; i >= 0; i--) if (notices[i]!.notice.kind === kind) return notices[i];
  return undefined;
}

/**
 * AEMM v1.12, over the same cassette, layers and routing as the `imds` profile: trailing slashes
 * stripped instead of 301s, catch-all listings (a final newline only at the top), tab-indented
 * application/json notices, AEMM's error pages, and its IMDSv2 rules — tokens ignored unless
 * required, and then checked only on routes, not on sub-listings or 404s (docs/imds-behaviour.md §7).
 */
export function createAemmProfile(): Profile {
  const errorPages = new Map<number, { body: Uint8Array; headers: Readonly<Record<string, string>> }>();
  const tables = new WeakMap<CassetteView, RouteTable>();

  /**
   * An error as AEMM answers it through Go's `http.Error`: `text/plain; charset=utf-8`, nosniff, and
   * the page plus a newline. 400 and 401 use AEMM's UTF-8 pages, everything else the iso-8859-1
   * template of its 404 (the same bytes real IMDS sends).
   */
  const renderError = (status: number, head: boolean): ImdsResponse => {
    let page = errorPages.get(status);
    if (!page) {
      const body = encoder.encode(status === 400 || status === 401 ? renderUtf8Page(status) : renderErrorPage(status));
      const headers = Object.freeze({
        [CONTENT_TYPE]: 'text/plain; charset=utf-8',
        'X-Content-Type-Options': 'nosniff',
        [CONTENT_LENGTH]: String(body.length),
      });
      errorPages.set(status, (page = { body, headers }));
    }
    return { status, headers: page.headers, body: head ? EMPTY : page.body };
  };

  /** Every leaf AEMM would route: the cassette's, the layers' additions, and the notice paths of the notices that run. */
  const routeTableOf = (view: CassetteView, states: readonly NoticeState[]): RouteTable => {
    const notices = states.map((state) => state.notice);
    const cached = tables.get(view);
    if (cached && cached.notices.length === notices.length && cached.notices.every((notice, i) => notice === notices[i])) return cached;
    const keys = new Set<string>();
    for (const [key, entry] of Object.entries(view.cassette.entries)) if (isRouteKey(key) && entry.status === 200) keys.add(key);
    for (const key of view.patchedKeys()) if (isRouteKey(key)) keys.add(key);
    const extra = noticeRoutes(notices);
    const routes = [...keys].filter((key) => extra.includes(key) || view.entryAt(key) !== undefined);
    for (const key of extra) if (!keys.has(key)) routes.push(key);
    routes.sort();
    const table = { notices, routes, set: new Set(routes), listings: new Map<string, Uint8Array | null>() };
    tables.set(view, table);
    return table;
  };

  const listingOf = (table: RouteTable, dir: string): Uint8Array | null => {
    const path = dir.slice(0, -1);
    let listing = table.listings.get(path);
    if (listing === undefined) {
      if (path !== META && path !== DYNAMIC && !path.startsWith(`${META}/`) && !path.startsWith(`${DYNAMIC}/`)) return null;
      const names = listChildren(table.routes, path);
      listing = names.length > 0 ? encoder.encode(names.join('\n') + (path === META || path === DYNAMIC ? '\n' : '')) : null;
      // Unknown paths are not remembered, so a client probing at random cannot grow the cache.
      if (listing) table.listings.set(path, listing);
    }
    return listing;
  };

  /** A notice path: the notice's facts in AEMM's bytes, or 404 while it does not show. */
  const serveNotice = (key: string, state: NoticeState, context: RenderContext): ImdsResponse => {
    const { notice, shown, now } = state;
    const { cassette, head } = context;
    if (notice.kind === 'asg') return text(shown ? notice.state : 'InService', head);
    if (!shown) return renderError(404, head);
    // Times made from the request's own instant change with every second of it.
    const nextSecond = Math.floor(now / 1000) * 1000 + 1000;
    if (notice.kind === 'spot') {
      if (notice.time === undefined) context.expireAt(nextSecond);
      const time = spotTime(notice, cassette, now);
      return key === SPOT_ACTION ? json({ action: notice.action, time }, head) : text(time, head);
    }
    if (notice.kind === 'rebalance') {
      context.expireAt(nextSecond);
      return json({ noticeTime: recordedField(cassette, REBALANCE, 'noticeTime') ?? formatIsoSeconds(now) }, head);
    }
    const due = notice.events.filter((event) => now >= event.at);
    return json(due.map(toAemmEvent), head);
  };

  const serveLeaf = (key: string, context: RenderContext): ImdsResponse => {
    const { view, head } = context;
    const state = noticeAt(key, context.notices);
    if (state) return serveNotice(key, state, context);
    const entry = view.entryAt(key);
    if (!entry) return renderError(404, head);
    if (entry.status >= 400) return renderError(entry.status, head);
    return respond(entry.status, { [CONTENT_TYPE]: entry.headers['content-type'] ?? 'text/plain' }, view.bodyOf(entry), head);
  };

  return {
    name: 'aemm',
    slashes: 'ignored',
    datedVersions: false,
    checkTokenWhenOptional: false,
    tokenCheck: 'after-routing',
    screen({ target, method, head, request, tokens, now, nonce }) {
      // The token route answers any other method with an empty 200; every other route ignores the method.
      if (target.segments.length !== 3 || `/${target.segments.join('/')}` !== TOKEN_PATH) return undefined;
      if (method !== 'PUT') return respond(200, {}, EMPTY, head);
      const ttl = parseTokenTtl(request.headers[TTL_HEADER], 'go-atoi');
      if (ttl === undefined) return renderError(400, head);
      const token = tokens.issue(now + ttl * 1000, nonce);
      return respond(200, { [CONTENT_TYPE]: 'text/plain', [ECHOED_TTL]: String(ttl) }, encoder.encode(token), head);
    },
    // AEMM serves its notices itself (serveNotice): they change no entries of the view.
    renderNotice: () => undefined,
    hasVersion: (_context, version) => version === 'latest',
    hasLeaf: (context, key) => routeTableOf(context.view, context.notices).set.has(key),
    hasListing: (context, dir) => dir === '/latest/' || listingOf(routeTableOf(context.view, context.notices), dir) !== null,
    needsToken(route: Route) {
      if (route.kind === 'versions' || route.kind === 'leaf') return true;
      return route.kind === 'listing' && (route.dir === '/latest/' || route.dir === `${META}/` || route.dir === `${DYNAMIC}/`);
    },
    render(route, context) {
      const { head } = context;
      switch (route.kind) {
        case 'versions':
          return text(FIXED_LISTINGS['/']!, head);
        case 'leaf':
          return serveLeaf(route.key, context);
        case 'listing': {
          // AEMM's /latest names user-data too when it serves it.
          if (route.dir === '/latest/' && routeTableOf(context.view, context.notices).set.has('/latest/user-data'))
            return text('dynamic\nmeta-data\nuser-data\n', head);
          const fixed = FIXED_LISTINGS[route.dir];
          if (fixed !== undefined) return text(fixed, head);
          const listing = listingOf(routeTableOf(context.view, context.notices), route.dir);
          return listing ? respond(200, { [CONTENT_TYPE]: 'text/plain' }, listing, head) : renderError(404, head);
        }
        default:
          return renderError(404, head);
      }
    },
    renderError,
    /** What Go's HTTP server answers to a request target it cannot parse (a bad %-escape), before AEMM sees it. */
    renderMalformed(head) {
      const body = encoder.encode('400 Bad Request');
      return {
        status: 400,
        headers: { [CONTENT_TYPE]: 'text/plain; charset=utf-8', Connection: 'close', [CONTENT_LENGTH]: String(body.length) },
        body: head ? EMPTY : body,
      };
    },
  };
}
