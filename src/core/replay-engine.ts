import type { Cassette } from './cassette.js';
import type { Layer } from './layer.js';
import { createFreshCredentialsLayer } from './layers/fresh-credentials.js';
import { parseDuration } from './parse-duration.js';
import { resolveRequest, type ImdsRequest, type ImdsResponse, type TokenMode } from './resolve-request.js';
import { UsageError } from './errors.js';

/** What a replay engine is built from; time and the token secret come from the adapter. */
export interface ReplayEngineOptions {
  cassette: Cassette;
  /** Layers on top of the cassette (after fresh credentials); later ones win. */
  layers?: readonly Layer[];
  imdsv2?: TokenMode;
  /** Key that signs IMDSv2 tokens. */
  secret: string;
  /** Wall clock in epoch ms; the engine's clock is this plus whatever `control` moved it by. */
  clock: () => number;
  /** Rewrite credential timestamps to the current hour (default true). */
  freshCredentials?: boolean;
}

/** A snapshot of the run-time state, as the control API reports it. */
export interface ReplayStatus {
  /** The engine's clock, ISO 8601. */
  now: string;
  /** How far the clock was moved from the wall clock, in ms. */
  offsetMs: number;
  imdsv2: TokenMode;
  layers: string[];
}

/** Run-time control over a replay: time travel and token mode; the mock layers add their own verbs. */
export interface ReplayControl {
  /** Moves the replay clock forward by a duration (`'2m'`, `90_000`). */
  advance(duration: number | string): ReplayStatus;
  /** Sets the replay clock to an instant (epoch ms or ISO 8601); the clock keeps running from there. */
  setTime(instant: number | string): ReplayStatus;
  setTokenMode(mode: TokenMode): ReplayStatus;
  /** Returns to the starting state: the wall clock, the starting token mode and layers. */
  reset(): ReplayStatus;
  status(): ReplayStatus;
}

/** One replayed instance: the cassette, its layers, a movable clock, and the control over them. */
export interface ReplayEngine {
  readonly cassette: Cassette;
  /** Answers one request; `nonce` is eight random bytes for token PUTs. */
  resolve(request: ImdsRequest, nonce?: Uint8Array): ImdsResponse;
  /** The replay clock, epoch ms. */
  now(): number;
  readonly control: ReplayControl;
}

function toInstant(input: number | string): number {
  const value = typeof input === 'number' ? input : Date.parse(input);
  if (!Number.isFinite(value)) {
    throw new UsageError(`Time "${input}" is not an instant. Use RFC 3339 like 2026-01-07T01:03:47Z, or epoch milliseconds.`);
  }
  return value;
}

/** Builds a replay engine shared by the node server and the MSW handlers. */
export function createReplayEngine(options: ReplayEngineOptions): ReplayEngine {
  const { cassette, secret, clock } = options;
  const startMode: TokenMode = options.imdsv2 ?? 'optional';
  const layers: Layer[] = [...(options.freshCredentials === false ? [] : [createFreshCredentialsLayer()]), ...(options.layers ?? [])];
  let offset = 0;
  let mode = startMode;
  const now = (): number => clock() + offset;
  const status = (): ReplayStatus => ({
    now: new Date(now()).toISOString(),
    offsetMs: offset,
    imdsv2: mode,
    layers: layers.map((layer) => layer.name),
  });
  const control: ReplayControl = {
    advance(duration) {
      offset += parseDuration(duration, 'advance');
      return status();
    },
    setTime(instant) {
      offset = toInstant(instant) - clock();
      return status();
    },
    setTokenMode(next) {
      if (next !== 'optional' && next !== 'required') throw new UsageError(`Token mode "${String(next)}" is unknown. Use "optional" or "required".`);
      mode = next;
      return status();
    },
    reset() {
      offset = 0;
      mode = startMode;
      return status();
    },
    status,
  };
  return {
    cassette,
    now,
    control,
    resolve(request, nonce) {
      return resolveRequest(request, { cassette, layers, imdsv2: mode, now: now(), secret, nonce });
    },
  };
}
