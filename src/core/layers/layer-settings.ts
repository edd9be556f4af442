import { UsageError } from '../errors.js';
import { parseDuration } from '../parse-duration.js';
import type { TokenMode } from '../tokens.js';
import {
  ASG_STATES,
  EVENT_CODES,
  EVENT_STATES,
  LAYER_KINDS,
  SPOT_ACTIONS,
  TAGS_MODES,
  TOKEN_MODES,
  type AsgState,
  type EventCode,
  type EventState,
  type SpotAction,
  type TagsMode,
} from '../vocabulary.js';

/** A duration as text (`'90s'`, `'2m'`, `'1h30m'`, `'30'` seconds) or milliseconds. */
export type Duration = string | number;
/** An instant as RFC 3339 text (`'2026-12-01T10:00:00Z'`) or epoch milliseconds. */
export type Instant = string | number;

/** When a layer's notice shows: at an instant, or after a delay counted from the replay start (run time: from now); default at once. */
export interface TriggerSettings {
  delay?: Duration;
  /** Wins over `delay`. */
  at?: Instant;
}

/** A spot interruption notice. */
export interface SpotSettings extends TriggerSettings {
  /** Default `terminate`. */
  action?: SpotAction;
  /** The notice's `time` field; default the trigger + 2 minutes (no lead for hibernate). */
  time?: Instant;
}

/** A rebalance recommendation. */
export type RebalanceSettings = TriggerSettings;

/** One scheduled maintenance event. */
export interface EventSettings extends TriggerSettings {
  /** Default `system-reboot`. */
  code?: EventCode;
  /** Default `active`. */
  state?: EventState;
  notBefore?: Instant;
  /** null: the event shows no NotAfter, as some instance-stop events do. */
  notAfter?: Instant | null;
  /** null: no NotBeforeDeadline. */
  notBeforeDeadline?: Instant | null;
  description?: string;
  /** `instance-event-` and hex digits. */
  eventId?: string;
}

/** An Auto Scaling target lifecycle change. */
export interface AsgSettings extends TriggerSettings {
  /** The state after the trigger; default `Terminated`. */
  state?: AsgState;
}

/** Instance tags in metadata. */
export interface TagsSettings {
  /** Default `merge`. */
  mode?: TagsMode;
  values?: Record<string, string>;
}

/** A fault on requests whose path matches a glob. */
export interface FaultSettings {
  /** Path glob: `spot/*`, `api/token`, `/latest/meta-data/**`. */
  path: string;
  /** Answer this HTTP status (400 to 599). */
  status?: number;
  latency?: Duration;
  /** Close the connection without answering. */
  drop?: boolean;
  /** Never answer. */
  hang?: boolean;
  /** Only for this many matching requests. */
  times?: number;
}

/** Request throttling: over `rate` per second (after `burst`), drop or answer with a status. */
export interface ThrottleSettings {
  rate: number;
  burst?: number;
  /** `drop` (default) or an HTTP status from 400 to 599. */
  action?: 'drop' | number;
}

/**
 * Settings for the layers on top of a cassette, as code, a layer file, flags or the control API
 * give them. Each kind may also be switched on with a shorthand: `spot: 'stop'`, `rebalance: true`,
 * `tags: false`, `throttle: 100`.
 */
export interface LayerSettings {
  spot?: SpotSettings | SpotAction | true | null;
  rebalance?: RebalanceSettings | true | null;
  events?: EventSettings | readonly EventSettings[] | null;
  asg?: AsgSettings | true | null;
  tags?: TagsSettings | false | 'off' | null;
  faults?: FaultSettings | readonly FaultSettings[] | null;
  throttle?: ThrottleSettings | number | null;
  /** Only the first N distinct client addresses see spot, rebalance, events and ASG notices. */
  mockIpCount?: number;
  imdsv2?: TokenMode | boolean;
}

/** When a layer's notice shows: an instant on the replay clock (epoch ms). */
export interface Trigger {
  at: number;
}

/** A spot interruption notice. */
export interface SpotConfig extends Trigger {
  action: SpotAction;
  /** The `time` field of instance-action; default: the trigger instant + 2 min (no lead for hibernate). */
  time?: number;
}

/** A rebalance recommendation; `noticeTime` is the trigger instant. */
export type RebalanceConfig = Trigger;

/** One scheduled maintenance event. */
export interface EventConfig extends Trigger {
  code: EventCode;
  state: EventState;
  notBefore?: number;
  /** null: the event has no NotAfter, as IMDS shows some instance-stop events (NTH issues #315, #361). */
  notAfter?: number | null;
  /** null: no NotBeforeDeadline. */
  notBeforeDeadline?: number | null;
  description?: string;
  eventId?: string;
}

/** An Auto Scaling lifecycle change: InService until the trigger, then `state`. */
export interface AsgConfig extends Trigger {
  state: AsgState;
}

/** Instance tags in metadata: added to the recorded ones, replacing them, or turned off (404). */
export interface TagsConfig {
  mode: TagsMode;
  values: Record<string, string>;
}

/** A fault on requests whose path matches `path` (a glob). */
export interface FaultConfig {
  path: string;
  status?: number;
  latencyMs?: number;
  /** Close the connection without answering. */
  drop?: boolean;
  /** Never answer (how a token PUT looks from a container when the hop limit is 1). */
  hang?: boolean;
  /** Apply to this many matching requests, then stop; unlimited when absent. */
  times?: number;
}

/** Request throttling like real IMDS: over the rate, requests are dropped or answered with a status. */
export interface ThrottleConfig {
  ratePerSecond: number;
  burst: number;
  action: 'drop' | number;
}

/** Every mock layer's settings, normalised: times are absolute replay-clock instants. */
export interface LayerConfig {
  spot?: SpotConfig;
  rebalance?: RebalanceConfig;
  events?: EventConfig[];
  asg?: AsgConfig;
  tags?: TagsConfig;
  faults?: FaultConfig[];
  throttle?: ThrottleConfig;
  /** Only the first N distinct client addresses see spot, rebalance, events and ASG notices. */
  mockIpCount?: number;
  imdsv2?: TokenMode;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${what} ${JSON.stringify(value)} is not allowed. Use one of: ${allowed.join(', ')}.`);
}

const LATEST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59);

/** Epoch ms from an RFC 3339 string or a number, between 1970 and 9999. */
export function parseInstant(value: unknown, what: string): number {
  const ms =
    typeof value === 'number' ? value : typeof value === 'string' && /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : Number.NaN;
  // Years 1970 to 9999: every instant a notice can print as RFC 3339.
  if (!Number.isFinite(ms) || ms < 0 || ms > LATEST_INSTANT) {
    throw new UsageError(`${what} ${JSON.stringify(value)} is not a time. Use RFC 3339 like 2026-01-07T01:03:47Z.`);
  }
  return ms;
}

function parseTrigger(input: Json, base: number, what: string): Trigger {
  // An absolute time takes priority over a delay, as AEMM's *-trigger-time flags do.
  if (input.at !== undefined) return { at: parseInstant(input.at, `${what}.at`) };
  if (input.delay !== undefined) return { at: base + parseDuration(input.delay, `${what}.delay`) };
  return { at: base };
}

function optionalInstant(value: unknown, what: string): number | undefined {
  return value === undefined ? undefined : parseInstant(value, what);
}

function checkKeys(input: Json, allowed: string[], what: string): void {
  for (const key of Object.keys(input)) {
    if (!allowed.includes(key)) throw new UsageError(`${what} has unknown setting "${key}". Known settings: ${allowed.join(', ')}.`);
  }
}

/** Tag keys IMDS can serve (docs/imds-behaviour.md §4): letters, digits and `+ - = . , _ : @`, not `.`, `..` or `_index`. */
export function checkTagKey(key: string): void {
  if (!/^[\p{L}\p{N}+\-=.,_:@]+$/u.test(key) || key === '.' || key === '..' || key === '_index') {
    throw new UsageError(
      `Tag key ${JSON.stringify(key)} cannot appear in instance metadata. Use letters, digits and + - = . , _ : @ only (no spaces or "/"), and not ".", ".." or "_index".`,
    );
  }
}

function parseSpot(input: unknown, base: number): SpotConfig {
  const value = typeof input === 'string' ? { action: input } : input === true ? {} : input;
  if (!isObject(value)) throw new UsageError('spot must be true, an action, or an object like {"action": "terminate", "delay": "10s"}.');
  checkKeys(value, ['action', 'time', 'delay', 'at'], 'spot');
  return {
    action: value.action === undefined ? 'terminate' : oneOf(value.action, SPOT_ACTIONS, 'Spot action'),
    time: optionalInstant(value.time, 'spot.time'),
    ...parseTrigger(value, base, 'spot'),
  };
}

function parseTriggerOnly(input: unknown, base: number, what: string): Trigger {
  if (input === true) return { at: base };
  if (!isObject(input)) throw new UsageError(`${what} must be true or an object like {"delay": "10s"}.`);
  checkKeys(input, ['delay', 'at'], what);
  return parseTrigger(input, base, what);
}

function parseEvent(input: unknown, base: number, index: number): EventConfig {
  const what = `events[${index}]`;
  if (!isObject(input)) throw new UsageError(`${what} must be an object like {"code": "system-reboot", "state": "active"}.`);
  checkKeys(input, ['code', 'state', 'notBefore', 'notAfter', 'notBeforeDeadline', 'description', 'eventId', 'delay', 'at'], what);
  if (input.description !== undefined && typeof input.description !== 'string') throw new UsageError(`${what}.description must be text.`);
  if (input.eventId !== undefined && (typeof input.eventId !== 'string' || !/^instance-event-[0-9a-f]+$/.test(input.eventId))) {
    throw new UsageError(
      `${what}.eventId ${JSON.stringify(input.eventId)} is not an event id. Use instance-event- followed by hex digits.`,
    );
  }
  return {
    code: input.code === undefined ? 'system-reboot' : oneOf(input.code, EVENT_CODES, 'Event code'),
    state: input.state === undefined ? 'active' : oneOf(input.state, EVENT_STATES, 'Event state'),
    notBefore: optionalInstant(input.notBefore, `${what}.notBefore`),
    notAfter: input.notAfter === null ? null : optionalInstant(input.notAfter, `${what}.notAfter`),
    notBeforeDeadline: input.notBeforeDeadline === null ? null : optionalInstant(input.notBeforeDeadline, `${what}.notBeforeDeadline`),
    description: input.description as string | undefined,
    eventId: input.eventId as string | undefined,
    ...parseTrigger(input, base, what),
  };
}

function parseAsg(input: unknown, base: number): AsgConfig {
  const value = input === true ? {} : input;
  if (!isObject(value)) throw new UsageError('asg must be true or an object like {"state": "Terminated", "delay": "30s"}.');
  checkKeys(value, ['state', 'delay', 'at'], 'asg');
  return {
    state: value.state === undefined ? 'Terminated' : oneOf(value.state, ASG_STATES, 'ASG target lifecycle state'),
    ...parseTrigger(value, base, 'asg'),
  };
}

function parseTags(input: unknown): TagsConfig {
  if (input === false || input === 'off') return { mode: 'off', values: {} };
  if (!isObject(input)) throw new UsageError('tags must be false (off) or an object like {"mode": "merge", "values": {"Name": "web"}}.');
  checkKeys(input, ['mode', 'values'], 'tags');
  const mode = input.mode === undefined ? 'merge' : oneOf(input.mode, TAGS_MODES, 'Tags mode');
  const values = input.values ?? {};
  if (!isObject(values)) throw new UsageError('tags.values must be an object of tag key to value.');
  for (const [key, value] of Object.entries(values)) {
    checkTagKey(key);
    if (typeof value !== 'string') throw new UsageError(`Tag ${JSON.stringify(key)} has a value that is not text.`);
  }
  return { mode, values: values as Record<string, string> };
}

function parseFault(input: unknown, index: number): FaultConfig {
  const what = `faults[${index}]`;
  if (!isObject(input) || typeof input.path !== 'string' || input.path === '') {
    throw new UsageError(`${what} needs a "path" glob, e.g. {"path": "spot/*", "status": 503}.`);
  }
  checkKeys(input, ['path', 'status', 'latency', 'drop', 'hang', 'times'], what);
  const fault: FaultConfig = { path: input.path };
  if (input.status !== undefined) {
    // Only error statuses: 1xx, 204 or 304 with IMDS's error page would confuse every client.
    if (!Number.isInteger(input.status) || (input.status as number) < 400 || (input.status as number) > 599) {
      throw new UsageError(`${what}.status ${JSON.stringify(input.status)} is not an error status. Use 400 to 599.`);
    }
    fault.status = input.status as number;
  }
  if (input.latency !== undefined) fault.latencyMs = parseDuration(input.latency, `${what}.latency`);
  if (input.drop === true) fault.drop = true;
  if (input.hang === true) fault.hang = true;
  if (input.times !== undefined) {
    if (!Number.isInteger(input.times) || (input.times as number) < 1)
      throw new UsageError(`${what}.times must be a whole number of at least 1.`);
    fault.times = input.times as number;
  }
  const effects = [fault.status !== undefined, fault.latencyMs !== undefined, fault.drop, fault.hang].filter(Boolean).length;
  if (effects === 0) throw new UsageError(`${what} for "${fault.path}" has no effect. Give one of status, latency, drop or hang.`);
  if ([fault.status !== undefined, fault.drop, fault.hang].filter(Boolean).length > 1) {
    throw new UsageError(`${what} for "${fault.path}" combines status, drop and hang. Choose one (latency may go with any).`);
  }
  return fault;
}

function parseThrottle(input: unknown): ThrottleConfig {
  const value = typeof input === 'number' ? { rate: input } : input;
  if (!isObject(value)) throw new UsageError('throttle must be a rate or an object like {"rate": 100, "burst": 20, "action": "drop"}.');
  checkKeys(value, ['rate', 'burst', 'action'], 'throttle');
  const rate = value.rate;
  if (typeof rate !== 'number' || !(rate > 0))
    throw new UsageError('throttle.rate must be a number of requests per second above 0, e.g. {"rate": 100}.');
  const burst = value.burst === undefined ? Math.max(1, Math.ceil(rate)) : value.burst;
  if (typeof burst !== 'number' || !(burst >= 1)) throw new UsageError('throttle.burst must be a number of at least 1.');
  let action: 'drop' | number = 'drop';
  if (value.action !== undefined && value.action !== 'drop') {
    if (!Number.isInteger(value.action) || (value.action as number) < 400 || (value.action as number) > 599) {
      throw new UsageError('throttle.action must be "drop" or an HTTP status from 400 to 599, e.g. 429.');
    }
    action = value.action as number;
  }
  return { ratePerSecond: rate, burst, action };
}

const TOP_LEVEL = [...LAYER_KINDS, 'mockIpCount', 'imdsv2'];

/** Checks settings that arrive as JSON (a layer file, a control request) and gives them their type. */
export function parseLayerSettings(input: unknown): LayerSettings {
  normalizeLayerSettings(input, 0);
  return input as LayerSettings;
}

/**
 * Validates mock settings and turns relative delays into instants on the replay clock, counted
 * from `base` (the replay start for flags and files, "now" for run-time triggers).
 */
export function normalizeLayerSettings(input: unknown, base: number): LayerConfig {
  if (!isObject(input)) throw new UsageError('Mock settings must be a JSON object, e.g. {"spot": {"action": "terminate"}}.');
  checkKeys(input, TOP_LEVEL, 'The mock settings');
  const config: LayerConfig = {};
  if (input.spot !== undefined && input.spot !== null) config.spot = parseSpot(input.spot, base);
  if (input.rebalance !== undefined && input.rebalance !== null) config.rebalance = parseTriggerOnly(input.rebalance, base, 'rebalance');
  if (input.events !== undefined && input.events !== null) {
    const list = Array.isArray(input.events) ? input.events : [input.events];
    config.events = list.map((event, index) => parseEvent(event, base, index));
  }
  if (input.asg !== undefined && input.asg !== null) config.asg = parseAsg(input.asg, base);
  if (input.tags !== undefined && input.tags !== null) config.tags = parseTags(input.tags);
  if (input.faults !== undefined && input.faults !== null) {
    const list = Array.isArray(input.faults) ? input.faults : [input.faults];
    config.faults = list.map((fault, index) => parseFault(fault, index));
  }
  if (input.throttle !== undefined && input.throttle !== null) config.throttle = parseThrottle(input.throttle);
  if (input.mockIpCount !== undefined) {
    if (!Number.isInteger(input.mockIpCount) || (input.mockIpCount as number) < 0)
      throw new UsageError('mockIpCount must be a whole number of at least 0.');
    config.mockIpCount = input.mockIpCount as number;
  }
  if (input.imdsv2 !== undefined) {
    config.imdsv2 =
      input.imdsv2 === true || input.imdsv2 === 'required'
        ? 'required'
        : input.imdsv2 === false || input.imdsv2 === 'optional'
          ? 'optional'
          : oneOf(input.imdsv2, TOKEN_MODES, 'imdsv2');
  }
  return config;
}

/** Stacks mock settings: later ones win per kind; events and faults add up. */
export function mergeLayerConfigs(...configs: LayerConfig[]): LayerConfig {
  const merged: LayerConfig = {};
  for (const config of configs) {
    const { events, faults, ...rest } = config;
    Object.assign(merged, rest);
    if (events) merged.events = [...(merged.events ?? []), ...events];
    if (faults) merged.faults = [...(merged.faults ?? []), ...faults];
  }
  return merged;
}
