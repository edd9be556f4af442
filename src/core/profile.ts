import type { Cassette } from './cassette.js';
import type { CassetteView } from './cassette-view.js';
import type { Patch } from './layer.js';
import type { NoticeState } from './notice.js';
import type { RequestTarget } from './parse-target.js';
import type { ImdsRequest, ImdsResponse } from './resolve-request.js';
import type { Route, RouteIndex } from './route-target.js';
import type { TokenSigner } from './tokens.js';

/** Which server a profile imitates byte for byte: real IMDS or AEMM v1.12 (the `ec2-metadata-mock` drop-in). */
export type ProfileName = 'imds' | 'aemm';

/** One request on its way through the pipeline, as a profile's hooks see it. */
export interface PipelineRequest {
  request: ImdsRequest;
  /** Upper-case method. */
  method: string;
  head: boolean;
  target: RequestTarget;
  /** Replay clock, epoch ms. */
  now: number;
  tokens: TokenSigner;
  /** Eight fresh random bytes for a token PUT. */
  nonce?: Uint8Array;
}

/**
 * What a profile routes and renders from: the request, the view its layers make, and the notices
 * as this client sees them. `view` and `notices` are worked out on first use, so a request that is
 * answered without them admits no client to the notices.
 */
export interface RenderContext extends PipelineRequest {
  /** The cassette as recorded (not a dated overlay). */
  readonly cassette: Cassette;
  /** The API versions the cassette answers (its `/` listing or the real list, plus any it recorded). */
  readonly versions: ReadonlySet<string>;
  readonly view: CassetteView;
  readonly notices: readonly NoticeState[];
  /** Says that the answer being rendered changes at `instant` (replay clock): a remembered copy must not outlive it. */
  expireAt(instant: number): void;
}

/**
 * A server's byte-level behaviour over the shared pipeline: how it reads paths, its token rules,
 * and how it renders listings, notices and errors. One instance per engine: it may cache what it
 * renders.
 */
export interface Profile extends RouteIndex<RenderContext> {
  readonly name: ProfileName;
  /** Whether a trailing slash matters (301s for directories) or is stripped. */
  readonly slashes: 'significant' | 'ignored';
  /** Whether dated API versions (`/2021-03-23/…`) are served from the cassette. */
  readonly datedVersions: boolean;
  /** Whether a presented token is checked when tokens are optional (IMDS: an expired token is a 401). */
  readonly checkTokenWhenOptional: boolean;
  /** When the token is checked: before routing, on every request (`first`), or after it, where `needsToken` says. */
  readonly tokenCheck: 'first' | 'after-routing';
  /** Answers that come before routing: refused methods and the token endpoint; undefined to route. */
  screen(step: PipelineRequest): ImdsResponse | undefined;
  /** A notice layer's patch of the view, or undefined when the profile serves its notices itself. */
  renderNotice(state: NoticeState): Patch | undefined;
  /** With `tokenCheck: 'after-routing'`: whether a route needs a valid token. */
  needsToken(route: Route): boolean;
  render(route: Route, context: RenderContext): ImdsResponse;
  /** An error page for a status (faults, refused tokens, …). */
  renderError(status: number, head: boolean): ImdsResponse;
  /** The answer to a target that cannot be decoded. */
  renderMalformed(head: boolean): ImdsResponse;
}
