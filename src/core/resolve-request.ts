import type { Cassette, Entry } from './cassette.js';
import { overlayVersion, versionsOf, viewCassette, type CassetteView } from './cassette-view.js';
import { renderErrorPage } from './error-pages.js';
import { collectPatches, type Intercept, type Layer, type LayerContext } from './layer.js';
import type { MockConfig } from './layers/mock-config.js';
import { answerAemmRequest, renderAemmError, renderAemmMalformedRequest } from './profiles/aemm-profile.js';
import { checkToken, issueToken, parseTokenTtl } from './tokens.js';

/** A request as the core sees it, whichever adapter (node:http, MSW) received it. */
export interface ImdsRequest {
  method: string;
  /** The request target: path with optional query (`/latest/meta-data/?x`), or an absolute URL. */
  path: string;
  /** Header values by lower-case name. */
  headers: Readonly<Record<string, string | undefined>>;
  clientAddress?: string;
}

/** A response as the core produces it; adapters write it out unchanged. */
export interface ImdsResponse {
  status: number;
  /** Lower-case header names; content-length is always set (also for HEAD, whose body is empty). */
  headers: Readonly<Record<string, string>>;
  body: Uint8Array;
  /** Wait this long before answering (a latency fault). */
  delayMs?: number;
  /** Do not answer: `drop` closes the connection, `hang` keeps it open (status is then 0). */
  abort?: 'drop' | 'hang';
  /** Set on a 404 for a path nothing serves (not on a fault's 404), for MSW's `onMiss`. */
  miss?: boolean;
}

/** Whether requests need an IMDSv2 token (`required`) or may go without (`optional`, the AWS default). */
export type TokenMode = 'optional' | 'required';

/** Which server to imitate byte for byte: real IMDS (the default) or AEMM v1.12 (the `ec2-metadata-mock` drop-in). */
export type Profile = 'imds' | 'aemm';

/** Everything `resolveRequest` needs besides the request: data, layers, time and the token secret. */
export interface ResolveOptions {
  cassette: Cassette;
  layers?: readonly Layer[];
  /** Replay clock, epoch milliseconds. */
  now: number;
  /** Key that signs IMDSv2 tokens. */
  secret: string;
  imdsv2?: TokenMode;
  /** Eight fresh random bytes for a token PUT, so tokens issued in the same millisecond differ. */
  nonce?: Uint8Array;
  /** Which server to imitate byte for byte; default `imds`. */
  profile?: Profile;
  /** The mock settings behind `layers`, for a profile that renders notices its own way (`aemm`). */
  mocks?: MockConfig;
}

const TOKEN_HEADER = 'x-aws-ec2-metadata-token';
const TTL_HEADER = 'x-aws-ec2-metadata-token-ttl-seconds';
const DEFAULT_HOST = '169.254.169.254';
const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const errorBodies = new Map<number, Uint8Array>();
// Recorded headers that describe one HTTP exchange, not the resource, and are never replayed.
const EXCHANGE_HEADERS = new Set(['content-length', 'date', 'connection', 'transfer-encoding', 'keep-alive', 'server']);

interface Target {
  segments: string[];
  trailingSlash: boolean;
  /** The path with repeated slashes collapsed and its original encoding kept (for Location). */
  rawPath: string;
}

/** Splits a request target into decoded path segments; undefined when it cannot be decoded. */
function parseTarget(target: string): Target | undefined {
  let path = target;
  if (path.charCodeAt(0) !== 47 /* "/" */) {
    // Absolute-form (`GET http://169.254.169.254/latest/ HTTP/1.1`), as proxies send it.
    const match = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*(.*)$/i.exec(path);
    if (!match) return undefined;
    path = match[1] || '/';
  }
  const end = path.search(/[?#]/);
  if (end !== -1) path = path.slice(0, end);
  // The JS SDK sends `//latest/…` (imds-facts §6, EMS); real IMDS tolerates repeated slashes.
  const rawPath = path.includes('//') ? path.replace(/\/{2,}/g, '/') : path;
  const segments = rawPath.split('/');
  segments.shift();
  const trailingSlash = segments.length > 0 && segments[segments.length - 1] === '';
  if (trailingSlash) segments.pop();
  if (rawPath.includes('%')) {
    for (let i = 0; i < segments.length; i++) {
      try {
        segments[i] = decodeURIComponent(segments[i]!);
      } catch {
        return undefined;
      }
      // An encoded slash would let one segment stand for a path that layers never saw.
      if (segments[i]!.includes('/')) return undefined;
    }
  }
  return { segments, trailingSlash, rawPath };
}

function errorResponse(status: number, head: boolean): ImdsResponse {
  let body = errorBodies.get(status);
  if (!body) errorBodies.set(status, (body = encoder.encode(renderErrorPage(status))));
  return {
    status,
    headers: { 'content-type': 'text/html', 'content-length': String(body.length), server: 'EC2ws' },
    body: head ? EMPTY : body,
  };
}

/** The 404 for a path the cassette and its layers do not have (a fault's 404 is not a miss). */
function notFound(head: boolean): ImdsResponse {
  return { ...errorResponse(404, head), miss: true };
}

/** 403 as real IMDS sends it for refused token PUTs: an empty text/plain body (imds-facts §2). */
function forbidden(): ImdsResponse {
  return { status: 403, headers: { 'content-type': 'text/plain', 'content-length': '0', server: 'EC2ws' }, body: EMPTY };
}

function bodyResponse(status: number, headers: Record<string, string>, body: Uint8Array, head: boolean): ImdsResponse {
  headers['content-length'] = String(body.length);
  headers.server = 'EC2ws';
  return { status, headers, body: head ? EMPTY : body };
}

function entryHeaders(entry: Entry | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (entry) for (const [name, value] of Object.entries(entry.headers)) {
    if (!EXCHANGE_HEADERS.has(name)) headers[name] = value;
  }
  headers['content-type'] ??= 'text/plain';
  return headers;
}

interface CachedHeaders {
  length: number;
  headers: Readonly<Record<string, string>>;
}
// Response headers of recorded entries, built once per entry (and per variant): most requests are
// answered without building any object but the response itself. Frozen, so no caller can change them.
const headerCache = new WeakMap<Entry, { normal?: CachedHeaders; plain?: CachedHeaders }>();

/** The response headers for an entry's recorded bytes; `plain` turns octet-stream into text/plain. */
function cachedHeaders(entry: Entry, body: Uint8Array, plain: boolean): Readonly<Record<string, string>> {
  let slot = headerCache.get(entry);
  if (!slot) headerCache.set(entry, (slot = {}));
  const cached = plain ? slot.plain : slot.normal;
  if (cached && cached.length === body.length) return cached.headers;
  const headers = entryHeaders(entry);
  // `user-data/` answers the same bytes as text/plain (imds-facts §1, salt#55298).
  if (plain && headers['content-type'] === 'application/octet-stream') headers['content-type'] = 'text/plain';
  headers['content-length'] = String(body.length);
  headers.server = 'EC2ws';
  const fresh = { length: body.length, headers: Object.freeze(headers) };
  if (plain) slot.plain = fresh;
  else slot.normal = fresh;
  return fresh.headers;
}

function handleTokenPut(request: ImdsRequest, target: Target, options: ResolveOptions): ImdsResponse {
  const [version, api, token, ...more] = target.segments;
  // Only `/latest/api/token` issues tokens; dated paths and anything else are refused (DOC-RET).
  if (version !== 'latest' || api !== 'api' || token !== 'token' || more.length > 0 || target.trailingSlash) {
    return forbidden();
  }
  // Token PUTs that went through a proxy are refused, a defence against SSRF (DOC-V2).
  if (request.headers['x-forwarded-for'] !== undefined) return forbidden();
  const ttl = parseTokenTtl(request.headers[TTL_HEADER]);
  if (ttl === undefined) return errorResponse(400, false);
  const value = issueToken(options.secret, options.now + ttl * 1000, options.nonce);
  // Go SDK v2 and Rust aws-config fail without the TTL echo (imds-facts §3).
  return bodyResponse(200, { 'content-type': 'text/plain', [TTL_HEADER]: String(ttl) }, encoder.encode(value), false);
}

/** Every layer's say over the request: delays add up, the first status or abort wins. */
function collectIntercepts(layers: readonly Layer[], method: string, target: Target, context: LayerContext): Intercept | undefined {
  let outcome: Intercept | undefined;
  const path = `/${target.segments.join('/')}`;
  for (const layer of layers) {
    const intercept = layer.intercept?.({ method, path }, context);
    if (!intercept) continue;
    outcome ??= {};
    if (intercept.delayMs) outcome.delayMs = (outcome.delayMs ?? 0) + intercept.delayMs;
    if (outcome.status === undefined && outcome.abort === undefined) {
      outcome.status = intercept.status;
      outcome.abort = intercept.abort;
    }
  }
  return outcome;
}

function serveEntry(view: CassetteView, entry: Entry, asDirectoryRequest: boolean, head: boolean): ImdsResponse {
  const body = view.bodyOf(entry);
  return { status: entry.status, headers: cachedHeaders(entry, body, asDirectoryRequest), body: head ? EMPTY : body };
}

function serveListing(view: CassetteView, dir: string, head: boolean): ImdsResponse | undefined {
  const listing = view.listing(dir);
  if (!listing) return undefined;
  if (!listing.entry) return bodyResponse(200, entryHeaders(undefined), listing.body, head);
  return { status: 200, headers: cachedHeaders(listing.entry, listing.body, false), body: head ? EMPTY : listing.body };
}

function locationOf(request: ImdsRequest, target: Target): string {
  const host = request.headers.host || DEFAULT_HOST;
  return `http://${host}${target.rawPath}/`;
}

/**
 * Answers one IMDS request from a cassette plus layers, the way real IMDS would
 * (`../shared/reference/imds-facts.md` §1–§3). Pure: time, secret and randomness come in `options`.
 */
export function resolveRequest(request: ImdsRequest, options: ResolveOptions): ImdsResponse {
  const method = request.method.toUpperCase();
  const head = method === 'HEAD';
  const target = parseTarget(request.path);
  if (!target) return options.profile === 'aemm' ? renderAemmMalformedRequest(head) : errorResponse(400, head);
  const layers = options.layers ?? [];
  const context: LayerContext = { now: options.now, clientAddress: request.clientAddress, cassette: options.cassette };
  const intercept = collectIntercepts(layers, method, target, context);
  if (!intercept) return answer(request, options, method, target, layers, context);
  let response: ImdsResponse;
  if (intercept.abort) response = { status: 0, headers: {}, body: EMPTY, abort: intercept.abort };
  else if (intercept.status !== undefined && options.profile === 'aemm') response = renderAemmError(intercept.status, head);
  else if (intercept.status !== undefined) response = intercept.status === 403 ? forbidden() : errorResponse(intercept.status, head);
  else response = answer(request, options, method, target, layers, context);
  if (intercept.delayMs) response.delayMs = intercept.delayMs;
  return response;
}

function answer(request: ImdsRequest, options: ResolveOptions, method: string, target: Target, layers: readonly Layer[], context: LayerContext): ImdsResponse {
  const head = method === 'HEAD';
  if (options.profile === 'aemm') return answerAemmRequest(request, options, layers, context);
  if (method !== 'GET' && method !== 'HEAD' && method !== 'PUT') return errorResponse(405, head);
  if (method === 'PUT') return handleTokenPut(request, target, options);

  // An invalid or expired token is refused even when tokens are optional (DOC-RET lists 401 for it).
  const token = request.headers[TOKEN_HEADER];
  if (token !== undefined) {
    if (checkToken(options.secret, token, options.now) !== undefined) return errorResponse(401, head);
  } else if (options.imdsv2 === 'required') {
    return errorResponse(401, head);
  }

  const [version, ...rest] = target.segments;
  if (version === undefined) {
    const view = viewCassette(options.cassette, collectPatches(layers, context));
    const root = view.entryAt('/');
    if (root) return serveEntry(view, root, true, head);
    const dated = [...view.versions].filter((name) => name !== 'latest').sort();
    return bodyResponse(200, { 'content-type': 'text/plain' }, encoder.encode([...dated, 'latest'].join('\n')), head);
  }
  if (!versionsOf(options.cassette).has(version)) return notFound(head);
  if (rest.length === 2 && rest[0] === 'api' && rest[1] === 'token') return errorResponse(405, head);

  // Dated prefixes serve the `latest` tree with whatever the cassette recorded under that date on top.
  const source = overlayVersion(options.cassette, version);
  const view = viewCassette(source, collectPatches(layers, source === options.cassette ? context : { ...context, cassette: source }));
  const restPath = rest.join('/');
  if (restPath === '') return serveListing(view, '/latest/', head) ?? notFound(head);
  const leaf = view.entryAt(`/latest/${restPath}`);
  const dirKey = `/latest/${restPath}/`;
  if (target.trailingSlash) {
    const listing = serveListing(view, dirKey, head);
    if (listing) return listing;
    return leaf ? serveEntry(view, leaf, true, head) : notFound(head);
  }
  if (leaf) return serveEntry(view, leaf, false, head);
  if (view.hasDirectory(dirKey)) {
    return { status: 301, headers: { location: locationOf(request, target), 'content-length': '0', server: 'EC2ws' }, body: EMPTY };
  }
  return notFound(head);
}
