import type { Entry } from '../cassette.js';
import type { CassetteView } from '../cassette-view.js';
import { renderErrorPage } from '../error-pages.js';
import { formatImdsJson } from '../format-imds-json.js';
import { formatNoticeJson } from '../format-notice-json.js';
import type { Patch } from '../layer.js';
import { formatEventDate, formatIsoSeconds } from '../layers/format-times.js';
import { createTextEntry } from '../layers/text-entry.js';
import {
  spotActionTime,
  type AsgNotice,
  type EventsNotice,
  type MaintenanceEvent,
  type Notice,
  type RebalanceNotice,
  type SpotNotice,
} from '../notice.js';
import type { PipelineRequest, Profile, RenderContext } from '../profile.js';
import type { ImdsResponse } from '../resolve-request.js';
import { toEntryHeaders } from '../render-entry.js';
import type { Route } from '../route-target.js';
import { parseTokenTtl } from '../tokens.js';

const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
const DEFAULT_HOST = '169.254.169.254';
const META = '/latest/meta-data/';
const ASG_KEY = `${META}autoscaling/target-lifecycle-state`;
const REBALANCE_DIR = `${META}events/recommendations/`;
const EVENTS_DIR = `${META}events/maintenance/`;
const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

interface CachedHeaders {
  length: number;
  headers: Readonly<Record<string, string>>;
}

/** 403 as real IMDS sends it for refused token PUTs: an empty text/plain body (docs/imds-behaviour.md §2). */
function forbidden(): ImdsResponse {
  return { status: 403, headers: { 'content-type': 'text/plain', 'content-length': '0', server: 'EC2ws' }, body: EMPTY };
}

function bodyResponse(status: number, headers: Record<string, string>, body: Uint8Array, head: boolean): ImdsResponse {
  headers['content-length'] = String(body.length);
  headers.server = 'EC2ws';
  return { status, headers, body: head ? EMPTY : body };
}

function describeEvent(event: MaintenanceEvent): string {
  // History entries carry their outcome in front of the description (docs/imds-behaviour.md §5).
  if (event.state === 'completed') return `[Completed] ${event.description}`;
  if (event.state === 'canceled') return `[Canceled] ${event.description}`;
  return event.description;
}

/** One event as IMDS prints it, keys in the user guide's order plus AEMM's NotBeforeDeadline. */
function toImdsEvent(event: MaintenanceEvent): Record<string, string> {
  return {
    NotBefore: formatEventDate(event.notBefore),
    Code: event.code,
    Description: describeEvent(event),
    EventId: event.eventId,
    ...(event.notAfter === undefined ? {} : { NotAfter: formatEventDate(event.notAfter) }),
    ...(event.notBeforeDeadline === undefined ? {} : { NotBeforeDeadline: formatEventDate(event.notBeforeDeadline) }),
    State: event.state,
  };
}

/** Patches of one notice, by what shows; built once per notice and kept while the notice runs. */
type NoticePatches = Map<string, Patch>;

function spotPatch(notice: SpotNotice, shown: boolean): Patch {
  const lifeCycle: [string, Entry] = [`${META}instance-life-cycle`, createTextEntry('spot')];
  if (!shown) return new Map<string, Entry | null>([lifeCycle, [`${META}spot/`, null]]);
  const time = formatIsoSeconds(spotActionTime(notice));
  return new Map([
    lifeCycle,
    [`${META}spot/instance-action`, createTextEntry(formatNoticeJson({ action: notice.action, time }))],
    [`${META}spot/termination-time`, createTextEntry(time)],
  ]);
}

function rebalancePatch(notice: RebalanceNotice, shown: boolean): Patch {
  if (!shown) return new Map([[REBALANCE_DIR, null]]);
  return new Map([[`${REBALANCE_DIR}rebalance`, createTextEntry(formatNoticeJson({ noticeTime: formatIsoSeconds(notice.at) }))]]);
}

function eventsPatch(notice: EventsNotice, visible: readonly boolean[]): Patch {
  const shown = notice.events.filter((_, i) => visible[i]);
  return new Map([
    [`${EVENTS_DIR}scheduled`, createTextEntry(formatImdsJson(shown.filter((event) => event.state === 'active').map(toImdsEvent)))],
    [`${EVENTS_DIR}history`, createTextEntry(formatImdsJson(shown.filter((event) => event.state !== 'active').map(toImdsEvent)))],
  ]);
}

function asgPatch(notice: AsgNotice, shown: boolean): Patch {
  return new Map([[ASG_KEY, createTextEntry(shown ? notice.state : 'InService')]]);
}

/**
 * Real IMDS (docs/imds-behaviour.md §1–§3): directories without a trailing slash
 * answer 301, listings are served as recorded (patched to name only what answers), notices are
 * entries like any other, errors are IMDS's XHTML pages.
 */
export function createImdsProfile(): Profile {
  const errorPages = new Map<number, { body: Uint8Array; headers: Readonly<Record<string, string>> }>();
  // Response headers of recorded entries, built once per entry (and per variant): most requests are
  // answered without building any object but the response itself. Frozen, so no caller can change them.
  const headerCache = new WeakMap<Entry, { normal?: CachedHeaders; plain?: CachedHeaders }>();
  const noticePatches = new WeakMap<Notice, NoticePatches>();

  const errorPage = (status: number): { body: Uint8Array; headers: Readonly<Record<string, string>> } => {
    let page = errorPages.get(status);
    if (!page) {
      const body = encoder.encode(renderErrorPage(status));
      errorPages.set(
        status,
        (page = { body, headers: Object.freeze({ 'content-type': 'text/html', 'content-length': String(body.length), server: 'EC2ws' }) }),
      );
    }
    return page;
  };
  const errorResponse = (status: number, head: boolean): ImdsResponse => {
    const { body, headers } = errorPage(status);
    return { status, headers, body: head ? EMPTY : body };
  };
  /** The 404 for a path nothing serves (a fault's 404 is not a miss). */
  const missing = (head: boolean): ImdsResponse => {
    const { body, headers } = errorPage(404);
    return { status: 404, headers, body: head ? EMPTY : body, miss: true };
  };

  /** The response headers for an entry's recorded bytes; `plain` turns octet-stream into text/plain. */
  const cachedHeaders = (entry: Entry, body: Uint8Array, plain: boolean): Readonly<Record<string, string>> => {
    let slot = headerCache.get(entry);
    if (!slot) headerCache.set(entry, (slot = {}));
    const cached = plain ? slot.plain : slot.normal;
    if (cached && cached.length === body.length) return cached.headers;
    const fresh = { length: body.length, headers: Object.freeze(toEntryHeaders(entry, body.length, plain)) };
    if (plain) slot.plain = fresh;
    else slot.normal = fresh;
    return fresh.headers;
  };

  const serveEntry = (view: CassetteView, entry: Entry, asDirectoryRequest: boolean, head: boolean): ImdsResponse => {
    const body = view.bodyOf(entry);
    return { status: entry.status, headers: cachedHeaders(entry, body, asDirectoryRequest), body: head ? EMPTY : body };
  };

  const serveListing = (view: CassetteView, dir: string, head: boolean): ImdsResponse => {
    const listing = view.listing(dir);
    if (!listing) return missing(head);
    if (!listing.entry) return { status: 200, headers: toEntryHeaders(undefined, listing.body.length), body: head ? EMPTY : listing.body };
    return { status: 200, headers: cachedHeaders(listing.entry, listing.body, false), body: head ? EMPTY : listing.body };
  };

  const handleTokenPut = (step: PipelineRequest): ImdsResponse => {
    const { target, request } = step;
    const [version, api, token, ...more] = target.segments;
    // Only `/latest/api/token` issues tokens; dated paths and anything else are refused (docs/imds-behaviour.md §3).
    if (version !== 'latest' || api !== 'api' || token !== 'token' || more.length > 0 || target.trailingSlash) return forbidden();
    // Token PUTs that went through a proxy are refused, a defence against SSRF (docs/imds-behaviour.md §3).
    if (request.headers['x-forwarded-for'] !== undefined) return forbidden();
    const ttl = parseTokenTtl(request.headers[TTL_HEADER], 'imds');
    if (ttl === undefined) return errorResponse(400, false);
    const value = step.tokens.issue(step.now + ttl * 1000, step.nonce);
    // Go SDK v2 and Rust aws-config fail without the TTL echo (docs/imds-behaviour.md §3).
    return bodyResponse(200, { 'content-type': 'text/plain', [TTL_HEADER]: String(ttl) }, encoder.encode(value), false);
  };

  const patchFor = (notice: Notice, key: string, build: () => Patch): Patch => {
    let patches = noticePatches.get(notice);
    if (!patches) noticePatches.set(notice, (patches = new Map()));
    let patch = patches.get(key);
    // Views are cached by patch identity: the same state must give the same Map.
    if (!patch) patches.set(key, (patch = build()));
    return patch;
  };

  return {
    name: 'imds',
    slashes: 'significant',
    datedVersions: true,
    checkTokenWhenOptional: true,
    tokenCheck: 'first',
    screen(step) {
      if (step.method === 'PUT') return handleTokenPut(step);
      if (step.method !== 'GET' && step.method !== 'HEAD') return errorResponse(405, step.head);
      return undefined;
    },
    renderNotice({ notice, shown, now }) {
      switch (notice.kind) {
        case 'spot':
          return patchFor(notice, String(shown), () => spotPatch(notice, shown));
        case 'rebalance':
          return patchFor(notice, String(shown), () => rebalancePatch(notice, shown));
        case 'asg':
          return patchFor(notice, String(shown), () => asgPatch(notice, shown));
        case 'events': {
          // `shown` says the client is admitted and some event is due; each event shows from its own trigger.
          const visible = notice.events.map((event) => shown && now >= event.at);
          return patchFor(notice, visible.map((v) => (v ? '1' : '0')).join(''), () => eventsPatch(notice, visible));
        }
      }
    },
    hasVersion: (context, version) => context.versions.has(version),
    hasLeaf: (context, key) => context.view.entryAt(key) !== undefined,
    hasListing: (context, dir) => context.view.hasDirectory(dir),
    needsToken: () => true,
    render(route: Route, context: RenderContext) {
      const { head, view } = context;
      switch (route.kind) {
        case 'versions': {
          const root = view.entryAt('/');
          if (root) return serveEntry(view, root, true, head);
          const dated = [...view.versions].filter((name) => name !== 'latest').sort();
          return bodyResponse(200, { 'content-type': 'text/plain' }, encoder.encode([...dated, 'latest'].join('\n')), head);
        }
        case 'token':
          return errorResponse(405, head);
        case 'leaf':
          return serveEntry(view, view.entryAt(route.key)!, route.asDirectory, head);
        case 'listing':
          return serveListing(view, route.dir, head);
        case 'redirect': {
          const host = context.request.headers.host || DEFAULT_HOST;
          return {
            status: 301,
            headers: { location: `http://${host}${context.target.rawPath}/`, 'content-length': '0', server: 'EC2ws' },
            body: EMPTY,
          };
        }
        case 'missing':
          return missing(head);
      }
    },
    renderError: (status, head) => (status === 403 ? forbidden() : errorResponse(status, head)),
    renderMalformed: (head) => errorResponse(400, head),
  };
}
