import type { Cassette } from './cassette.js';
import { UsageError } from './errors.js';
import type { Layer } from './layer.js';
import { createLayers } from './layers/create-layers.js';
import { createFreshCredentialsLayer } from './layers/fresh-credentials.js';
import {
  mergeLayerConfigs,
  normalizeLayerSettings,
  parseInstant,
  type AsgSettings,
  type EventSettings,
  type FaultSettings,
  type LayerConfig,
  type LayerSettings,
  type RebalanceSettings,
  type SpotSettings,
  type TagsSettings,
  type ThrottleSettings,
} from './layers/layer-settings.js';
import { LAYER_KINDS, TOKEN_MODES, type LayerKind, type SpotAction } from './vocabulary.js';
import { createLayerState } from './layers/layer-state.js';
import { createViewCache } from './cassette-view.js';
import { isNoticeDue, spotActionTime, type Notice } from './notice.js';
import { parseDuration } from './parse-duration.js';
import type { ProfileName } from './profile.js';
import { createProfile } from './profiles/create-profile.js';
import { resolveRequest, type ImdsRequest, type ImdsResponse } from './resolve-request.js';
import { createResponseMemo } from './response-memo.js';
import { createTokenSigner, type TokenMode } from './tokens.js';

/** What a replay engine is built from; time and the token secret come from the adapter. */
export interface ReplayEngineOptions {
  cassette: Cassette;
  /** Layers of your own on top of the cassette (after fresh credentials, before the mocks). */
  layers?: readonly Layer[];
  /** Mock layers to start with (layer-file settings); several are stacked, later ones win. */
  mocks?: LayerSettings | readonly LayerSettings[];
  /** Token mode to start with; overrides `imdsv2` in `mocks`. Default optional. */
  imdsv2?: TokenMode;
  /** Key that signs IMDSv2 tokens. */
  secret: string;
  /** Wall clock in epoch ms; the engine's clock is this plus whatever `control` moved it by. */
  clock: () => number;
  /** Rewrite credential timestamps to the current hour (default true). */
  freshCredentials?: boolean;
  /** Which server to imitate byte for byte; default `imds`. */
  profile?: ProfileName;
}

/** One mock layer in the status report. */
export interface LayerStatus {
  kind: 'spot' | 'rebalance' | 'event' | 'asg' | 'tags' | 'fault' | 'throttle';
  /** Whether it shows now (for the first client; mock-ip-count may hide it from others). */
  active: boolean;
  /** When it shows (ISO 8601), for triggered mocks. */
  at?: string;
  detail: string;
}

/** A snapshot of the run-time state, as the control API reports it. */
export interface ReplayStatus {
  /** The engine's clock, ISO 8601. */
  now: string;
  /** How far the clock was moved from the wall clock, in ms. */
  offsetMs: number;
  imdsv2: TokenMode;
  layers: string[];
  mocks: LayerStatus[];
  mockIpCount?: number;
}

/** Run-time control over a replay: time travel, token mode, and every mock layer. */
export interface ReplayControl {
  /** Moves the replay clock forward by a duration (`'2m'`, `90_000`). */
  advance(duration: number | string): ReplayStatus;
  /** Sets the replay clock to an instant (epoch ms or RFC 3339); the clock keeps running from there. */
  setTime(instant: number | string): ReplayStatus;
  setTokenMode(mode: TokenMode): ReplayStatus;
  /** Stacks layer-file settings on the current ones; delays count from now. */
  apply(settings: LayerSettings): ReplayStatus;
  /** Spot interruption notice, now or after `delay` / at `at` (`{action, time, delay, at}`, or just the action). */
  spot(settings?: SpotSettings | SpotAction): ReplayStatus;
  /** Rebalance recommendation (`{delay, at}`). */
  rebalance(settings?: RebalanceSettings): ReplayStatus;
  /** Adds a scheduled maintenance event (`{code, state, notBefore, notAfter, notBeforeDeadline, delay, at}`). */
  event(settings?: EventSettings): ReplayStatus;
  /** Auto Scaling target lifecycle change (`{state, delay, at}`). */
  asg(settings?: AsgSettings): ReplayStatus;
  /** Instance tags: `{mode: 'merge'|'replace'|'off', values}`, or false for none. */
  tags(settings: TagsSettings | false): ReplayStatus;
  /** Adds a fault (`{path, status | latency | drop | hang, times}`). */
  fault(settings: FaultSettings): ReplayStatus;
  /** Throttles requests (`{rate, burst, action}`, or just the rate). */
  throttle(settings: ThrottleSettings | number): ReplayStatus;
  /** Removes one kind of mock, or every mock when no kind is given. */
  clear(kind?: LayerKind): ReplayStatus;
  /** Returns to the starting state: wall clock, starting token mode and mocks. */
  reset(): ReplayStatus;
  status(): ReplayStatus;
}

/** One replayed instance: the cassette, its layers, a movable clock, and the control over them. */
export interface ReplayEngine {
  readonly cassette: Cassette;
  /**
   * Answers one request; `nonce` is eight random bytes for token PUTs. `at` is the replay instant
   * to answer at, for a caller that has just read `now()` (default: `now()`).
   */
  resolve(request: ImdsRequest, nonce?: Uint8Array, at?: number): ImdsResponse;
  /** The replay clock, epoch ms. */
  now(): number;
  /** The clock the engine was given; `now()` is its reading moved by time travel. */
  readonly clock: () => number;
  /** The replay instant at which `clock` reads `reading` (for a caller that has just read it). */
  nowAt(reading: number): number;
  /**
   * The notices that show at the current replay time (to a client mock-ip-count admits), as data:
   * spot action and time, rebalance, the events that are due, the ASG state once it changed.
   */
  notices(): Notice[];
  readonly control: ReplayControl;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function describeMocks(config: LayerConfig, now: number, profile: ProfileName): LayerStatus[] {
  const mocks: LayerStatus[] = [];
  if (config.spot) {
    // AEMM's spot time, unless fixed, is each request's time plus two minutes (aemm profile).
    const time = profile === 'aemm' && config.spot.time === undefined ? 'request time + 2 min' : iso(spotActionTime(config.spot));
    mocks.push({ kind: 'spot', active: now >= config.spot.at, at: iso(config.spot.at), detail: `${config.spot.action}, time ${time}` });
  }
  if (config.rebalance)
    mocks.push({ kind: 'rebalance', active: now >= config.rebalance.at, at: iso(config.rebalance.at), detail: 'rebalance recommendation' });
  for (const event of config.events ?? [])
    mocks.push({ kind: 'event', active: now >= event.at, at: iso(event.at), detail: `${event.code} (${event.state})` });
  if (config.asg)
    mocks.push({ kind: 'asg', active: now >= config.asg.at, at: iso(config.asg.at), detail: `InService → ${config.asg.state}` });
  if (config.tags)
    mocks.push({
      kind: 'tags',
      active: true,
      detail: config.tags.mode === 'off' ? 'off' : `${config.tags.mode} ${Object.keys(config.tags.values).join(', ') || '(none)'}`,
    });
  for (const fault of config.faults ?? []) {
    const effects = [fault.status, fault.drop && 'drop', fault.hang && 'hang', fault.latencyMs && `+${fault.latencyMs}ms`].filter(Boolean);
    mocks.push({ kind: 'fault', active: true, detail: `${fault.path} → ${effects.join(' ')}${fault.times ? ` (${fault.times}×)` : ''}` });
  }
  if (config.throttle)
    mocks.push({
      kind: 'throttle',
      active: true,
      detail: `${config.throttle.ratePerSecond}/s, burst ${config.throttle.burst}, then ${config.throttle.action}`,
    });
  return mocks;
}

/** Builds a replay engine shared by the node server and the MSW handlers. */
export function createReplayEngine(options: ReplayEngineOptions): ReplayEngine {
  const { cassette, secret, clock } = options;
  const fixedLayers: Layer[] = [...(options.freshCredentials === false ? [] : [createFreshCredentialsLayer()]), ...(options.layers ?? [])];
  const startedAt = clock();
  const startInputs = options.mocks === undefined ? [] : Array.isArray(options.mocks) ? options.mocks : [options.mocks as LayerSettings];
  const startConfig = mergeLayerConfigs(...startInputs.map((input) => normalizeLayerSettings(input, startedAt)));
  const startMode: TokenMode = options.imdsv2 ?? startConfig.imdsv2 ?? 'optional';
  let offset = 0;
  let mode = startMode;
  let config = startConfig;
  let state = createLayerState();
  let layers = [...fixedLayers, ...createLayers(config, state)];
  const now = (): number => clock() + offset;
  // What the engine keeps between requests: rendered bytes, views, verified tokens.
  const profile = createProfile(options.profile ?? 'imds');
  const views = createViewCache();
  const tokens = createTokenSigner(secret);
  // Answers hold until a layer's next change; every control verb below may change them, so each clears it.
  const memo = createResponseMemo();

  const status = (): ReplayStatus => ({
    now: iso(now()),
    offsetMs: offset,
    imdsv2: mode,
    layers: layers.map((layer) => layer.name),
    mocks: describeMocks(config, now(), options.profile ?? 'imds'),
    ...(config.mockIpCount === undefined ? {} : { mockIpCount: config.mockIpCount }),
  });
  const use = (next: LayerConfig): ReplayStatus => {
    // Build first: settings that cannot become layers leave the running ones as they were.
    const built = createLayers(next, state);
    config = next;
    layers = [...fixedLayers, ...built];
    memo.clear();
    return status();
  };
  const apply = (input: LayerSettings): ReplayStatus => {
    const added = normalizeLayerSettings(input, now());
    if (added.imdsv2) mode = added.imdsv2;
    return use(mergeLayerConfigs(config, added));
  };

  const control: ReplayControl = {
    advance(duration) {
      const next = offset + parseDuration(duration, 'advance');
      parseInstant(clock() + next, 'The replay clock after advance');
      offset = next;
      memo.clear();
      return status();
    },
    setTime(instant) {
      offset = parseInstant(instant, 'time') - clock();
      memo.clear();
      return status();
    },
    setTokenMode(next) {
      if (!TOKEN_MODES.includes(next)) throw new UsageError(`Token mode "${String(next)}" is unknown. Use "optional" or "required".`);
      mode = next;
      memo.clear();
      return status();
    },
    apply,
    spot: (settings = {}) => apply({ spot: settings }),
    rebalance: (settings = {}) => apply({ rebalance: settings }),
    event: (settings = {}) => apply({ events: [settings] }),
    asg: (settings = {}) => apply({ asg: settings }),
    tags: (settings) => apply({ tags: settings }),
    fault: (settings) => apply({ faults: [settings] }),
    throttle: (settings) => apply({ throttle: settings }),
    clear(kind) {
      if (kind === undefined) return use({ ...(config.mockIpCount === undefined ? {} : { mockIpCount: config.mockIpCount }) });
      if (!LAYER_KINDS.includes(kind))
        throw new UsageError(`Layer kind "${String(kind)}" is unknown. Use one of: ${LAYER_KINDS.join(', ')}.`);
      const { [kind]: _removed, ...rest } = config;
      return use(rest);
    },
    reset() {
      offset = 0;
      mode = startMode;
      state = createLayerState();
      return use(startConfig);
    },
    status,
  };
  return {
    cassette,
    now,
    clock,
    nowAt: (reading) => reading + offset,
    control,
    resolve(request, nonce, at = now()) {
      // Without a mock-ip-count every client is admitted: answers need not be told apart by client.
      const gate = state.gate(config.mockIpCount);
      return resolveRequest(request, {
        cassette,
        layers,
        imdsv2: mode,
        now: at,
        secret,
        nonce,
        profile,
        views,
        tokens,
        memo,
        admit: config.mockIpCount === undefined ? undefined : (address) => gate.allows(address),
      });
    },
    notices() {
      const at = now();
      const shown: Notice[] = [];
      for (const layer of layers) {
        const notice = layer.notice;
        if (!notice || !isNoticeDue(notice, at)) continue;
        if (notice.kind === 'events') shown.push({ ...notice, events: notice.events.filter((event) => at >= event.at) });
        else if (notice.kind === 'spot') shown.push({ ...notice, time: spotActionTime(notice) });
        else shown.push(notice);
      }
      return shown;
    },
  };
}
