import type { Cassette } from './cassette.js';
import { createViewCache, type CassetteView, type ViewCache } from './cassette-view.js';
import { collectPatches, type Intercept, type Layer, type LayerContext } from './layer.js';
import { isNoticeDue, type NoticeState } from './notice.js';
import { parseTarget } from './parse-target.js';
import type { PipelineRequest, Profile, ProfileName, RenderContext } from './profile.js';
import { createProfile } from './profiles/create-profile.js';
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
}

const EMPTY = new Uint8Array(0);
const admitEveryone = (): boolean => true;

/** Every layer's say over the request: delays add up, the first status or abort wins. */
function collectIntercepts(layers: readonly Layer[], method: string, path: string, context: LayerContext): Intercept | undefined {
  let outcome: Intercept | undefined;
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

/**
 * The notices as this request sees them. Admission (mock-ip-count) is decided here, once, and
 * only when some notice is due: a client takes a place only once there is something to show.
 */
function collectNotices(layers: readonly Layer[], now: number, admitted: () => boolean): NoticeState[] {
  let states: NoticeState[] | undefined;
  let allowed: boolean | undefined;
  for (const layer of layers) {
    if (!layer.notice) continue;
    const due = isNoticeDue(layer.notice, now);
    if (due) allowed ??= admitted();
    (states ??= []).push({ notice: layer.notice, shown: due && allowed === true, now });
  }
  return states ?? [];
}

function acceptsToken(profile: Profile, step: PipelineRequest, mode: TokenMode | undefined): boolean {
  const token = step.request.headers['x-aws-ec2-metadata-token'];
  if (token === undefined) return mode !== 'required';
  if (mode !== 'required' && !profile.checkTokenWhenOptional) return true;
  return step.tokens.check(token, step.now) === undefined;
}

/**
 * Answers one IMDS request from a cassette plus layers: parse the target, let faults and
 * throttles have their say, screen methods and token PUTs, route over the cassette seen through
 * the layers, check the token, and render by profile (docs/imds-behaviour.md §1–§3).
 * Pure: time, secret and randomness come in `options`.
 */
export function resolveRequest(request: ImdsRequest, options: ResolveOptions): ImdsResponse {
  const profile = typeof options.profile === 'object' ? options.profile : createProfile(options.profile ?? 'imds');
  const method = request.method.toUpperCase();
  const head = method === 'HEAD';
  const target = parseTarget(request.path);
  if (!target) return profile.renderMalformed(head);
  const layers = options.layers ?? [];
  const context: LayerContext = { now: options.now, clientAddress: request.clientAddress, cassette: options.cassette };
  const intercept = collectIntercepts(layers, method, `/${target.segments.join('/')}`, context);
  const step: PipelineRequest = { request, method, head, target, now: options.now, tokens: options.tokens ?? createTokenSigner(options.secret), nonce: options.nonce };
  if (!intercept) return answer(step, profile, options, layers, context);
  let response: ImdsResponse;
  if (intercept.abort) response = { status: 0, headers: {}, body: EMPTY, abort: intercept.abort };
  else if (intercept.status !== undefined) response = profile.renderError(intercept.status, head);
  else response = answer(step, profile, options, layers, context);
  if (intercept.delayMs) response.delayMs = intercept.delayMs;
  return response;
}

function answer(step: PipelineRequest, profile: Profile, options: ResolveOptions, layers: readonly Layer[], context: LayerContext): ImdsResponse {
  const screened = profile.screen(step);
  if (screened) return screened;
  if (profile.tokenCheck === 'first' && !acceptsToken(profile, step, options.imdsv2)) return profile.renderError(401, step.head);
  const render = createRenderContext(step, profile, options, layers, context);
  const route = routeTarget(step.target, profile.indexOf(render), profile.slashes);
  if (profile.tokenCheck === 'after-routing' && profile.needsToken(route) && !acceptsToken(profile, step, options.imdsv2)) {
    return profile.renderError(401, step.head);
  }
  return profile.render(route, render);
}

function createRenderContext(step: PipelineRequest, profile: Profile, options: ResolveOptions, layers: readonly Layer[], context: LayerContext): RenderContext {
  const views = options.views ?? createViewCache();
  const { cassette } = options;
  let notices: NoticeState[] | undefined;
  let view: CassetteView | undefined;
  const noticesNow = (): NoticeState[] => {
    const admit = options.admit ?? admitEveryone;
    return (notices ??= collectNotices(layers, step.now, () => admit(step.request.clientAddress)));
  };
  const viewNow = (): CassetteView => {
    if (view) return view;
    const states = noticesNow();
    const rendered = new Map(states.map((state) => [state.notice, profile.renderNotice(state)]));
    // Dated prefixes serve the `latest` tree with whatever the cassette recorded under that date on top.
    const version = step.target.segments[0];
    const source = version !== undefined && profile.datedVersions && views.versions(cassette).has(version) ? views.overlay(cassette, version) : cassette;
    const patches = collectPatches(layers, source === cassette ? context : { ...context, cassette: source }, (notice) => rendered.get(notice));
    return (view = views.view(source, patches));
  };
  return {
    ...step,
    cassette,
    versions: views.versions(cassette),
    get view() {
      return viewNow();
    },
    get notices() {
      return noticesNow();
    },
  };
}
