import { createPathMatcher } from '../create-path-matcher.js';
import { UsageError } from '../errors.js';
import type { LayerSettings } from '../layers/layer-settings.js';
import type { TokenMode } from '../tokens.js';
import type { LayerKind } from '../vocabulary.js';
import { anchorMockInput } from './parse-scenario.js';
import type { InstanceState, RequestMatch, RequestRule, Scenario, ScenarioStep, SettingsInput, TokenUse } from './scenario.js';

/** The part of the engine's control a step uses to change layers. */
export interface StepEffects {
  apply(settings: LayerSettings): unknown;
  clear(kind?: LayerKind): unknown;
  setTokenMode(mode: TokenMode): unknown;
}

/** A request as triggers and rules see it: normalised path, client and how it used tokens. */
export interface ObservedRequest {
  method: string;
  /** Path without query, repeated slashes collapsed (`/latest/meta-data/spot/instance-action`). */
  path: string;
  clientAddress?: string;
  token: TokenUse;
  /** The status it was answered with (0 when unanswered); triggers only. */
  status?: number;
}

/** One step as the timeline reports it. */
export interface StepStatus {
  name: string;
  /** `fired`; `next` (the one that fires next); `waiting` (after the next one). */
  state: 'fired' | 'next' | 'waiting';
  /** Replay-clock instant it fired (epoch ms). */
  firedAt?: number;
  /** Replay-clock instant it will fire, when known. */
  dueAt?: number;
  /** For a triggered step still waiting: what it waits for. */
  waitingFor?: string;
  /** Layer kinds the step changes (`spot`, `events`, `imdsv2`, `instance`, `rules`, …). */
  changes: string[];
}

/** A step that has just fired, as listeners receive it. */
export interface FiredStep {
  step: ScenarioStep;
  index: number;
  /** Replay-clock instant (epoch ms): the step's own time, never earlier than the step before it. */
  at: number;
}

/** The rule that answers a request and the step that set it. */
export interface RuleMatch {
  rule: RequestRule;
  step: string;
}

/** Runs a scenario's timeline on the replay clock; pure, so any adapter drives it with its own clock. */
export interface ScenarioRunner {
  readonly scenario: Scenario;
  /** Fires every step due at or before `now`, in order. */
  advanceTo(now: number): void;
  /** Counts a served request toward a waiting request trigger (then fires what became due). */
  observe(request: ObservedRequest, now: number): void;
  /** Fires the waiting `{"on": {"control": name}}` step; a usage error when the next step waits for something else. */
  trigger(name: string, now: number): void;
  /** When the next step fires (epoch ms), when that is known without a trigger. */
  nextDueAt(): number | undefined;
  instance(): InstanceState;
  /** The step that last set the instance state, if any. */
  instanceStep(): string | undefined;
  /** The replay instant that step fired at, if any. */
  instanceSince(): number | undefined;
  /** Whether a rule needs to know if the request's token is valid before it can decide. */
  needsTokenCheck(request: ObservedRequest): boolean;
  /** The first active rule matching the request; counts it against the rule's `times`. */
  takeRule(request: ObservedRequest): RuleMatch | undefined;
  /** The step that last changed what `path` answers, and the layer kind it changed there. */
  answeredBy(path: string): { step: string; layer: string } | undefined;
  steps(): StepStatus[];
  /** When the timeline started (epoch ms). */
  startedAt(): number;
  /** Calls `listener` for every step that fires; returns the unsubscribe function. */
  onStep(listener: (fired: FiredStep) => void): () => void;
  /** Starts over at `now` (the caller resets the layers). */
  restart(now: number): void;
}

interface ActiveRule {
  rule: RequestRule;
  step: string;
  left: number;
  matches: (request: ObservedRequest) => boolean;
}

/** Paths each layer kind serves, as globs from the root; a dated prefix is read as `latest`. */
const KIND_PATHS: Record<string, string[]> = {
  spot: ['/latest/meta-data/spot', '/latest/meta-data/instance-life-cycle'],
  rebalance: ['/latest/meta-data/events/recommendations'],
  events: ['/latest/meta-data/events/maintenance'],
  asg: ['/latest/meta-data/autoscaling/target-lifecycle-state'],
  tags: ['/latest/meta-data/tags'],
  imdsv2: ['/**'],
  throttle: ['/**'],
};

function tokenMatches(wanted: RequestMatch['token'], actual: TokenUse): boolean {
  if (wanted === undefined) return true;
  if (wanted === 'present') return actual !== 'absent';
  return wanted === actual;
}

/** A predicate for a request match; the path glob compiled once. */
function compileMatch(match: RequestMatch): (request: ObservedRequest) => boolean {
  const path = createPathMatcher([match.path], 'path');
  const clients = match.clients && new Set(match.clients);
  return (request) => {
    if (match.method !== undefined && request.method !== match.method) return false;
    if (match.status !== undefined && request.status !== match.status) return false;
    if (!tokenMatches(match.token, request.token)) return false;
    if (clients) {
      const address =
        request.clientAddress === undefined
          ? 'in-process'
          : request.clientAddress.startsWith('::ffff:')
            ? request.clientAddress.slice(7)
            : request.clientAddress;
      if (!clients.has(address)) return false;
    }
    return path(request.path);
  };
}

function describeTrigger(step: ScenarioStep): string | undefined {
  const { timing } = step;
  if (timing.kind === 'control') return `control call "${timing.name}"`;
  if (timing.kind === 'requests') return `${timing.count} request${timing.count === 1 ? '' : 's'} to ${timing.match.path}`;
  return undefined;
}

function changesOf(step: ScenarioStep): string[] {
  const changes = new Set<string>();
  if (step.clear === 'all') changes.add('clear');
  else for (const kind of step.clear ?? []) changes.add(kind);
  if (step.imdsv2) changes.add('imdsv2');
  for (const key of Object.keys(step.apply ?? {})) changes.add(key);
  if (step.instance) changes.add('instance');
  if (step.rules) changes.add('rules');
  return [...changes];
}

/** Path predicates for what a step's layers serve, per layer kind (faults by their own globs). */
function pathsOf(step: ScenarioStep): { layer: string; matches: (path: string) => boolean }[] {
  const found: { layer: string; matches: (path: string) => boolean }[] = [];
  for (const kind of changesOf(step)) {
    const globs = kind === 'faults' ? [] : KIND_PATHS[kind];
    if (globs) found.push({ layer: kind, matches: createPathMatcher(globs) });
  }
  const faults = step.apply?.faults;
  const list = faults === undefined || faults === null ? [] : Array.isArray(faults) ? faults : [faults];
  const globs = list.map((fault) => (fault as { path: string }).path);
  if (globs.length > 0) found.push({ layer: 'faults', matches: createPathMatcher(globs) });
  return found;
}

/** Builds the runner of a validated scenario starting at `startedAt`; steps change layers through `effects`. */
export function createScenarioRunner(scenario: Scenario, effects: StepEffects, startedAt: number): ScenarioRunner {
  const { steps } = scenario;
  const requestMatchers = steps.map((step) => (step.timing.kind === 'requests' ? compileMatch(step.timing.match) : undefined));
  const stepPaths = steps.map(pathsOf);
  const listeners = new Set<(fired: FiredStep) => void>();
  let start = startedAt;
  let next = 0;
  let armedAt = startedAt;
  let triggeredAt: number | undefined;
  let seen = 0;
  let firedAt: number[] = [];
  let instance: InstanceState = 'up';
  let instanceStep: string | undefined;
  let instanceSince: number | undefined;
  let rules: ActiveRule[] = [];
  // Events the scenario showed, in order: a later event with the same eventId changes one of them.
  let shownEvents: SettingsInput[] = [];

  const applyLayers = (settings: SettingsInput, at: number): void => {
    const { events, ...rest } = settings;
    // Checked when the scenario loaded (normalizeLayerSettings), so the JSON is layer settings.
    if (Object.keys(rest).length > 0) effects.apply(anchorMockInput(rest, at) as LayerSettings);
    if (events === undefined || events === null) return;
    for (const item of Array.isArray(events) ? events : [events]) {
      const id = (item as SettingsInput).eventId;
      const index = typeof id === 'string' ? shownEvents.findIndex((shown) => shown.eventId === id) : -1;
      // A change keeps the event's moment and fields; only what it names is new (a state, a description).
      const { at: _at, delay: _delay, ...change } = item as SettingsInput;
      const event = index >= 0 ? { ...shownEvents[index], ...change } : item;
      const [anchored] = anchorMockInput({ events: [event] }, at).events as SettingsInput[];
      if (index >= 0) shownEvents[index] = anchored!;
      else shownEvents.push(anchored!);
    }
    effects.clear('events');
    effects.apply({ events: shownEvents } as LayerSettings);
  };

  const dueOf = (index: number): number | undefined => {
    const { timing } = steps[index]!;
    switch (timing.kind) {
      case 'start':
        return start + timing.offsetMs;
      case 'previous':
        return armedAt + timing.offsetMs;
      case 'time':
        return timing.instant;
      default:
        return triggeredAt === undefined ? undefined : triggeredAt + timing.afterMs;
    }
  };

  const fire = (index: number, at: number): void => {
    const step = steps[index]!;
    if (step.clear === 'all') {
      effects.clear();
      rules = [];
      shownEvents = [];
    } else {
      for (const kind of step.clear ?? []) {
        if (kind === 'rules') rules = [];
        else effects.clear(kind);
        if (kind === 'events') shownEvents = [];
      }
    }
    if (step.imdsv2) effects.setTokenMode(step.imdsv2);
    if (step.apply) applyLayers(step.apply, at);
    if (step.instance) {
      instance = step.instance;
      instanceStep = step.name;
      instanceSince = at;
    }
    for (const rule of step.rules ?? [])
      rules.push({ rule, step: step.name, left: rule.times ?? Infinity, matches: compileMatch(rule.match) });
    firedAt[index] = at;
    next = index + 1;
    armedAt = at;
    triggeredAt = undefined;
    seen = 0;
    for (const listener of listeners) listener({ step, index, at });
  };

  const advanceTo = (now: number): void => {
    while (next < steps.length) {
      const due = dueOf(next);
      if (due === undefined || due > now) return;
      // A step never fires before the one it follows, whatever its own time says.
      fire(next, Math.max(due, armedAt));
    }
  };

  return {
    scenario,
    advanceTo,
    observe(request, now) {
      const matcher = requestMatchers[next];
      if (!matcher || triggeredAt !== undefined || !matcher(request)) return;
      seen++;
      const timing = steps[next]!.timing;
      if (timing.kind === 'requests' && seen >= timing.count) {
        triggeredAt = now;
        advanceTo(now);
      }
    },
    trigger(name, now) {
      const step = steps[next];
      if (!step)
        throw new UsageError(`Scenario "${scenario.name}" has no step left to trigger: every step has fired. Use reset to start over.`);
      if (step.timing.kind !== 'control' || step.timing.name !== name) {
        throw new UsageError(
          `Scenario "${scenario.name}" is not waiting for "${name}": its next step "${step.name}" waits for ${describeTrigger(step) ?? 'a time'}.`,
        );
      }
      if (triggeredAt === undefined) triggeredAt = now;
      advanceTo(now);
    },
    nextDueAt: () => (next < steps.length ? dueOf(next) : undefined),
    instance: () => instance,
    instanceStep: () => instanceStep,
    instanceSince: () => instanceSince,
    needsTokenCheck(request) {
      if (request.token === 'absent') return false;
      return rules.some((active) => active.left > 0 && (active.rule.match.token === 'valid' || active.rule.match.token === 'invalid'));
    },
    takeRule(request) {
      for (const active of rules) {
        if (active.left <= 0 || !active.matches(request)) continue;
        active.left--;
        return { rule: active.rule, step: active.step };
      }
      return undefined;
    },
    answeredBy(path) {
      const latest = path.replace(/^\/[^/]+(?=\/|$)/, '/latest');
      for (let index = next - 1; index >= 0; index--) {
        const hit = stepPaths[index]!.find((candidate) => candidate.matches(latest));
        if (hit) return { step: steps[index]!.name, layer: hit.layer };
      }
      return undefined;
    },
    steps() {
      return steps.map((step, index) => {
        const status: StepStatus = {
          name: step.name,
          state: index < next ? 'fired' : index === next ? 'next' : 'waiting',
          changes: changesOf(step),
        };
        if (index < next) status.firedAt = firedAt[index];
        else if (index === next) {
          const due = dueOf(index);
          if (due !== undefined) status.dueAt = Math.max(due, armedAt);
          else status.waitingFor = describeTrigger(step);
        } else if (step.timing.kind === 'time') status.dueAt = step.timing.instant;
        else if (step.timing.kind === 'start') status.dueAt = start + step.timing.offsetMs;
        else if (step.timing.kind !== 'previous') status.waitingFor = describeTrigger(step);
        return status;
      });
    },
    startedAt: () => start,
    onStep(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    restart(now) {
      start = now;
      armedAt = now;
      next = 0;
      triggeredAt = undefined;
      seen = 0;
      firedAt = [];
      instance = 'up';
      instanceStep = undefined;
      instanceSince = undefined;
      rules = [];
      shownEvents = [];
      advanceTo(now);
    },
  };
}
