import type { Cassette } from './cassette.js';
import { createViewCache, type CassetteView, type ViewCache } from './cassette-view.js';
import { collectPatches, type Intercept, type Layer, type LayerContext, type Patch } from './layer.js';
import { isNoticeDue, nextNoticeChange, type Notice, type NoticeState } from './notice.js';
import { parseTarget, type RequestTarget } from './parse-target.js';
import type { Profile, ProfileName, RenderContext } from './profile.js';
import { createProfile } from './profiles/create-profile.js';
import type { RequestShape, ResponseMemo } from './response-memo.js';
import { routeTarget } from './route-target.js';
import { createTokenSigner, type TokenMode, type TokenSigner } from './tokens.js';

export type { TokenMode } from './tokens.js';
export type { Profile, ProfileName } from './profile.js';

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

/** Everything `resolveRequest` needs besides the request: data, layers, time and the token key. */
export interface ResolveOptions {
  cassette: Cassette;
  layers?: readonly Layer[];
  /** Replay clock, epoch milliseconds. */
  now: number;
  /** Key that signs IMDSv2 tokens (ignored when `tokens` is given). */
  secret: string;
  imdsv2?: TokenMode;
  /** Eight fresh random bytes for a token PUT, so tokens issued in the same millisecond differ. */
  nonce?: Uint8Array;
  /** Which server to imitate byte for byte (a name, or an engine's own instance); default `imds`. */
  profile?: ProfileName | Profile;
  /** Whether mock-ip-count admits this client to notices; asked at most once per request. Default: everyone. */
  admit?: (clientAddress: string | undefined) => boolean;
  /** The engine's token signer; a fresh one for `secret` when absent. */
  tokens?: TokenSigner;
  /** The engine's view cache; a fresh one when absent. */
  views?: ViewCache;
  /**
   * The engine's answers so far: a request shaped like an earlier one (method, target, token
   * verdict, Host, and the client when `admit` is given) gets the earlier answer while nothing it
   * was made from has changed. The engine clears it whenever its state changes.
   */
  memo?: ResponseMemo;
}

const EMPTY = new Uint8Array(0);
const NO_LAYERS: readonly Layer[] = [];
const NO_NOTICES: readonly NoticeState[] = [];
const admitEveryone = (): boolean => true;
// Real IMDS paths and Host values are short; longer ones are answered afresh, never remembered.
const MAX_MEMO_PATH = 1024;
const MAX_MEMO_HOST = 256;
const TOKEN_HEADER = 'x-aws-ec2-metadata-token';

/** Whether a request's token passes the profile's rules under the token mode (an absent one passes unless tokens are required). */
function isTokenAccepted(request: ImdsRequest, options: ResolveOptions, profile: Profile, tokens: () => TokenSigner): boolean {
  const token = request.headers[TOKEN_HEADER];
  const mode = options.imdsv2;
  if (token === undefined) return mode !== 'required';
  if (mode !== 'required' && !profile.checkTokenWhenOptional) return true;
  return tokens().check(token, options.now) === undefined;
}

function hasIntercepts(layers: readonly Layer[]): boolean {
  for (const layer of layers) if (layer.intercept) return true;
  return false;
}

/** The path faults and throttles see: decoded segments, no trailing slash. */
const toInterceptPath = (target: RequestTarget): string => `/${target.segments.join('/')}`;

/** Every layer's say over the request: delays add up, the first status or abort wins. */
function collectIntercepts(layers: readonly Layer[], method: string, path: string, context: LayerContext): Intercept | undefined {
  let outcome: Intercept | undefined;
  for (const layer of layers) {
    if (!layer.intercept) continue;
    const intercept = layer.intercept({ method, path }, context);
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

/**
 * The notices as this request sees them. Admission (mock-ip-count) is decided here, once, and
 * only when some notice is due: a client takes a place only once there is something to show.
 */
function collectNotices(
  layers: readonly Layer[],
  context: RequestContext,
  admit: (clientAddress: string | undefined) => boolean,
  clientAddress: string | undefined,
): readonly NoticeState[] {
  const { now } = context;
  let states: NoticeState[] | undefined;
  let allowed: boolean | undefined;
  for (const layer of layers) {
    if (!layer.notice) continue;
    context.expireAt(nextNoticeChange(layer.notice, now));
    const due = isNoticeDue(layer.notice, now);
    if (due) allowed ??= admit(clientAddress);
    (states ??= []).push({ notice: layer.notice, shown: due && allowed === true, now });
  }
  return states ?? NO_NOTICES;
}

/** One request through the pipeline; the view and the notices are worked out on first use. */
class RequestContext implements RenderContext {
  readonly method: string;
  readonly head: boolean;
  readonly now: number;
  readonly nonce: Uint8Array | undefined;
  readonly cassette: Cassette;
  readonly versions: ReadonlySet<string>;
  private readonly views: ViewCache;
  private cachedNotices: readonly NoticeState[] | undefined;
  private cachedView: CassetteView | undefined;
  private tokenAccepted: boolean | undefined;
  private signer: TokenSigner | undefined;
  /** Until when (replay clock) the answer being worked out holds; what it is made from lowers it. */
  validUntil = Infinity;

  constructor(
    readonly request: ImdsRequest,
    readonly target: RequestTarget,
    private readonly options: ResolveOptions,
    private readonly profile: Profile,
    private readonly layers: readonly Layer[],
    private readonly layerContext: LayerContext,
    method: string,
    accepted: boolean | undefined,
  ) {
    this.method = method;
    this.head = method === 'HEAD';
    this.now = options.now;
    this.tokenAccepted = accepted;
    this.nonce = options.nonce;
    this.cassette = options.cassette;
    this.views = options.views ?? createViewCache();
    this.versions = this.views.versions(options.cassette);
  }

  get tokens(): TokenSigner {
    return (this.signer ??= this.options.tokens ?? createTokenSigner(this.options.secret));
  }

  get notices(): readonly NoticeState[] {
    if (this.cachedNotices) return this.cachedNotices;
    return (this.cachedNotices = collectNotices(this.layers, this, this.options.admit ?? admitEveryone, this.request.clientAddress));
  }

  expireAt(instant: number): void {
    if (instant < this.validUntil) this.validUntil = instant;
  }

  get view(): CassetteView {
    if (this.cachedView) return this.cachedView;
    const { cassette, profile } = this;
    const states = this.notices;
    const renderNotice =
      states.length === 0
        ? undefined
        : (notice: Notice): Patch | undefined => {
            const state = states.find((candidate) => candidate.notice === notice);
            return state && profile.renderNotice(state);
          };
    // Dated prefixes serve the `latest` tree with whatever the cassette recorded under that date on top.
    const version = this.target.segments[0];
    const source =
      version !== undefined && profile.datedVersions && version !== 'latest' && this.versions.has(version)
        ? this.views.overlay(cassette, version)
        : cassette;
    const context = source === cassette ? this.layerContext : { ...this.layerContext, cassette: source };
    const patches = collectPatches(this.layers, context, renderNotice);
    for (const layer of this.layers) if (layer.patch) this.expireAt(layer.stableUntil ? layer.stableUntil(this.now) : this.now);
    return (this.cachedView = this.views.view(source, patches));
  }

  /** Whether the request's token passes the profile's rules under the token mode. */
  acceptsToken(): boolean {
    return (this.tokenAccepted ??= isTokenAccepted(this.request, this.options, this.profile, () => this.tokens));
  }
}

/**
 * Answers one IMDS request from a cassette plus layers: parse the target, let faults and
 * throttles have their say, screen methods and token PUTs, route over the cassette seen through
 * the layers, check the token, and render by profile (docs/imds-behaviour.md §1–§3).
 * Pure: time, secret and randomness come in `options`.
 */
export function resolveRequest(request: ImdsRequest, options: ResolveOptions): ImdsResponse {
  const profile = typeof options.profile === 'object' ? options.profile : createProfile(options.profile ?? 'imds');
  const layers = options.layers ?? NO_LAYERS;
  const method = request.method.toUpperCase();
  const { memo } = options;
  // The memo's view of the request. Token PUTs are never remembered (each issues a fresh token);
  // the token itself counts only by its verdict, checked on every request.
  let shape: RequestShape | undefined;
  let accepted: boolean | undefined;
  const host = request.headers.host;
  if (memo && method !== 'PUT' && request.path.length <= MAX_MEMO_PATH && (host === undefined || host.length <= MAX_MEMO_HOST)) {
    accepted = isTokenAccepted(request, options, profile, () => options.tokens ?? createTokenSigner(options.secret));
    shape = { path: request.path, method, host, client: options.admit ? request.clientAddress : undefined, accepted };
    const held = memo.get(shape, options.now);
    if (held) {
      if (!hasIntercepts(layers)) return held.response;
      // Faults and throttles still see (and count) every request, on the path remembered with
      // the answer: the target need not be parsed again.
      const intercept = collectIntercepts(layers, method, held.interceptPath, {
        now: options.now,
        clientAddress: request.clientAddress,
        cassette: options.cassette,
      });
      return intercept ? applyIntercept(intercept, profile, method === 'HEAD', () => held.response) : held.response;
    }
  }
  const target = parseTarget(request.path);
  if (!target) return profile.renderMalformed(method === 'HEAD');
  const layerContext: LayerContext = { now: options.now, clientAddress: request.clientAddress, cassette: options.cassette };
  const context = new RequestContext(request, target, options, profile, layers, layerContext, method, accepted);
  const interceptPath = toInterceptPath(target);
  const intercept = hasIntercepts(layers) ? collectIntercepts(layers, method, interceptPath, layerContext) : undefined;
  const answered = (): ImdsResponse => {
    const response = answer(context, profile);
    if (shape) memo!.set(shape, response, options.now, context.validUntil, interceptPath);
    return response;
  };
  return intercept ? applyIntercept(intercept, profile, context.head, answered) : answered();
}

/** A fault's or throttle's outcome: no answer, an error page, or the answer (`produce`) later. */
function applyIntercept(intercept: Intercept, profile: Profile, head: boolean, produce: () => ImdsResponse): ImdsResponse {
  let response: ImdsResponse;
  if (intercept.abort) response = { status: 0, headers: {}, body: EMPTY, abort: intercept.abort };
  else if (intercept.status !== undefined) response = profile.renderError(intercept.status, head);
  // A copy: the answer may be remembered, the delay is this request's alone.
  else response = { ...produce() };
  if (intercept.delayMs) response.delayMs = intercept.delayMs;
  return response;
}

function answer(context: RequestContext, profile: Profile): ImdsResponse {
  const screened = profile.screen(context);
  if (screened) return screened;
  if (profile.tokenCheck === 'first' && !context.acceptsToken()) return profile.renderError(401, context.head);
  const route = routeTarget(context.target, profile, context, profile.slashes);
  if (profile.tokenCheck === 'after-routing' && profile.needsToken(route) && !context.acceptsToken())
    return profile.renderError(401, context.head);
  return profile.render(route, context);
}
