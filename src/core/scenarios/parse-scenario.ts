import { createPathMatcher } from '../create-path-matcher.js';
import { AemmError } from '../errors.js';
import { normalizeLayerSettings, parseInstant } from '../layers/layer-settings.js';
import { parseDuration } from '../parse-duration.js';
import { LAYER_KINDS, type LayerKind } from '../vocabulary.js';
import {
  SCENARIO_FORMAT,
  SQS_SETTING_KEYS,
  type InstanceState,
  type RequestMatch,
  type RequestRule,
  type Scenario,
  type ScenarioSqs,
  type ScenarioStep,
  type SettingsInput,
  type StepTiming,
} from './scenario.js';

/** A scenario that cannot be used; the message names the file, the step and the fix. */
export class ScenarioError extends AemmError {
  constructor(source: string, problem: string) {
    super('SCENARIO_INVALID', `Failed to load scenario "${source}": ${problem}`);
    this.name = 'ScenarioError';
  }
}

type Json = Record<string, unknown>;

/** Layer settings a step's `apply` may hold: the keys of a layer file. */
const LAYER_KEYS = ['spot', 'rebalance', 'events', 'asg', 'tags', 'faults', 'throttle', 'mockIpCount', 'imdsv2'];
const STEP_KEYS = ['name', 'description', 'at', 'after', 'time', 'on', 'clear', 'imdsv2', 'apply', 'instance', 'rules'];
const MATCH_KEYS = ['path', 'method', 'status', 'token', 'clients'];
const TOKEN_USES = ['absent', 'presented', 'valid', 'invalid', 'present'] as const;
const INSTANCE_STATES: readonly InstanceState[] = ['up', 'refused', 'dropped'];
const MAX_STEPS = 1000;
// Control trigger names travel in URLs and on command lines: keep them plain.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A problem in one step: thrown inside a step, worded to follow `step "x" (#n): `. */
class StepProblem extends Error {}

function fail(problem: string): never {
  throw new StepProblem(problem);
}

function checkKeys(value: Json, allowed: readonly string[], what: string, fix: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(`${what} has unknown setting "${key}". ${fix}`);
  }
}

const EVENT_TIMES = ['notBefore', 'notAfter', 'notBeforeDeadline'];

/**
 * Moves the triggers of layer settings to the step's moment: a `delay` inside counts from it, an
 * `at` stays; event times written `+5m` count from the moment the event shows.
 */
export function anchorMockInput(input: SettingsInput, at: number): SettingsInput {
  const anchor = (item: unknown, stringKey?: string): unknown => {
    const value = item === true ? {} : typeof item === 'string' && stringKey ? { [stringKey]: item } : item;
    if (!isObject(value) || value.at !== undefined) return value;
    const { delay, ...rest } = value;
    return { ...rest, at: at + (delay === undefined ? 0 : parseDuration(delay, 'delay')) };
  };
  const anchorEvent = (item: unknown): unknown => {
    const value = anchor(item);
    if (!isObject(value)) return value;
    const shows = typeof value.at === 'number' ? value.at : parseInstant(value.at, 'at');
    const event = { ...value };
    for (const key of EVENT_TIMES) {
      const time = event[key];
      if (typeof time === 'string' && time.startsWith('+')) event[key] = shows + parseDuration(time.slice(1), key);
    }
    return event;
  };
  const anchored: SettingsInput = { ...input };
  if (input.spot !== undefined && input.spot !== null) anchored.spot = anchor(input.spot, 'action');
  if (input.rebalance !== undefined && input.rebalance !== null) anchored.rebalance = anchor(input.rebalance);
  if (input.asg !== undefined && input.asg !== null) anchored.asg = anchor(input.asg);
  if (input.events !== undefined && input.events !== null) {
    anchored.events = (Array.isArray(input.events) ? input.events : [input.events]).map(anchorEvent);
  }
  return anchored;
}

function parseMatch(input: unknown, what: string, forTrigger: boolean): RequestMatch {
  if (!isObject(input)) fail(`${what} must be an object like {"path": "spot/instance-action"}.`);
  checkKeys(
    input,
    forTrigger ? [...MATCH_KEYS, 'count'] : MATCH_KEYS,
    what,
    `Use ${[...MATCH_KEYS, ...(forTrigger ? ['count'] : [])].join(', ')}.`,
  );
  if (typeof input.path !== 'string' || input.path.trim() === '')
    fail(`${what} needs a "path" glob, e.g. "spot/instance-action" or "/latest/api/token".`);
  createPathMatcher([input.path], `${what}.path`);
  const match: RequestMatch = { path: input.path };
  if (input.method !== undefined) {
    if (typeof input.method !== 'string' || !/^[A-Za-z]{1,16}$/.test(input.method))
      fail(`${what}.method ${JSON.stringify(input.method)} is not an HTTP method. Use GET, PUT or HEAD.`);
    match.method = input.method.toUpperCase();
  }
  if (input.status !== undefined) {
    if (!forTrigger) fail(`${what}.status cannot be used in a rule: a rule answers before there is a status. Remove it.`);
    if (!Number.isInteger(input.status) || (input.status as number) < 100 || (input.status as number) > 599)
      fail(`${what}.status ${JSON.stringify(input.status)} is not an HTTP status. Use 100 to 599.`);
    match.status = input.status as number;
  }
  if (input.token !== undefined) {
    if (!(TOKEN_USES as readonly unknown[]).includes(input.token))
      fail(`${what}.token ${JSON.stringify(input.token)} is unknown. Use one of: ${TOKEN_USES.join(', ')}.`);
    match.token = input.token as RequestMatch['token'];
  }
  if (input.clients !== undefined) {
    if (!Array.isArray(input.clients) || !input.clients.every((client) => typeof client === 'string' && client !== '')) {
      fail(`${what}.clients must be a list of client addresses, e.g. ["127.0.0.2"] ("in-process" for aemm/msw).`);
    }
    if (input.clients.length === 0)
      fail(`${what}.clients is empty, so no request can ever match. List at least one address, or remove it to match every client.`);
    match.clients = input.clients as string[];
  }
  return match;
}

function parseTiming(step: Json): StepTiming {
  const given = ['at', 'time', 'on'].filter((key) => step[key] !== undefined);
  if (given.length > 1)
    fail(
      `gives ${given.join(' and ')}. Give one of "at" (from the start), "after" (from the previous step), "time" (RFC 3339) or "on" (a trigger).`,
    );
  if (step.after !== undefined && (step.at !== undefined || step.time !== undefined))
    fail(
      `gives "after" with "${step.at !== undefined ? 'at' : 'time'}". Use one of them ("after" may go with "on" as a delay after the trigger).`,
    );
  const afterMs = step.after === undefined ? 0 : parseDuration(step.after, 'after');
  if (step.at !== undefined) return { kind: 'start', offsetMs: parseDuration(step.at, 'at') };
  if (step.time !== undefined) return { kind: 'time', instant: parseInstant(step.time, 'time') };
  if (step.on === undefined) return { kind: 'previous', offsetMs: afterMs };
  const on = step.on;
  if (!isObject(on) || Object.keys(on).length !== 1 || !(on.control !== undefined || on.requests !== undefined)) {
    fail('has an "on" that is not a trigger. Use {"control": "name"} or {"requests": {"path": "spot/instance-action", "count": 3}}.');
  }
  if (on.control !== undefined) {
    if (typeof on.control !== 'string' || !NAME.test(on.control))
      fail(`on.control ${JSON.stringify(on.control)} is not a trigger name. Use letters, digits, ".", "_" or "-" (up to 64).`);
    return { kind: 'control', name: on.control, afterMs };
  }
  const requests = on.requests;
  const match = parseMatch(requests, 'on.requests', true);
  const count = isObject(requests) ? (requests.count ?? 1) : 1;
  if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 1_000_000)
    fail(`on.requests.count ${JSON.stringify(count)} is not a count. Use a whole number from 1 to 1000000.`);
  return { kind: 'requests', match, count: count as number, afterMs };
}

function parseRule(input: unknown, index: number): RequestRule {
  const what = `rules[${index}]`;
  if (!isObject(input)) fail(`${what} must be an object like {"match": {"path": "api/token", "method": "PUT"}, "answer": "hang"}.`);
  checkKeys(input, ['match', 'answer', 'times'], what, 'Use match, answer and times.');
  const match = parseMatch(input.match, `${what}.match`, false);
  if (input.answer !== 401 && input.answer !== 'hang' && input.answer !== 'drop')
    fail(`${what}.answer ${JSON.stringify(input.answer)} is unknown. Use 401, "hang" or "drop".`);
  const rule: RequestRule = { match, answer: input.answer };
  if (input.times !== undefined) {
    if (!Number.isInteger(input.times) || (input.times as number) < 1) fail(`${what}.times must be a whole number of at least 1.`);
    rule.times = input.times as number;
  }
  return rule;
}

function parseClear(input: unknown): ScenarioStep['clear'] {
  if (input === true || input === 'all') return 'all';
  const list = typeof input === 'string' ? [input] : input;
  const kinds = [...LAYER_KINDS, 'rules'];
  if (!Array.isArray(list) || list.length === 0) fail(`clear must be "all" or a list of ${kinds.join(', ')}.`);
  for (const kind of list) {
    if (!kinds.includes(kind as string))
      fail(`clear names unknown layer ${JSON.stringify(kind)}. Use one of: ${kinds.join(', ')} (or "all").`);
  }
  return list as (LayerKind | 'rules')[];
}

function parseApply(input: unknown): SettingsInput {
  if (!isObject(input)) fail('apply must be an object of layer settings, e.g. {"spot": {"action": "terminate"}}.');
  for (const key of Object.keys(input)) {
    if (!LAYER_KEYS.includes(key)) fail(`apply refers to unknown layer "${key}". Use one of: ${LAYER_KEYS.join(', ')}.`);
  }
  // The same checks a layer file gets, with the triggers placed as they will be when the step fires.
  normalizeLayerSettings(anchorMockInput(input, 0), 0);
  return input;
}

function parseStep(input: unknown): ScenarioStep {
  if (!isObject(input)) fail('is not an object. Write a step like {"name": "notice", "after": "2m", "apply": {"spot": "terminate"}}.');
  checkKeys(input, STEP_KEYS, 'the step', `Known settings: ${STEP_KEYS.join(', ')}.`);
  const step: ScenarioStep = { name: input.name as string, timing: parseTiming(input) };
  if (input.description !== undefined) {
    if (typeof input.description !== 'string') fail('description must be text.');
    step.description = input.description;
  }
  if (input.clear !== undefined) step.clear = parseClear(input.clear);
  if (input.imdsv2 !== undefined) {
    if (input.imdsv2 !== 'optional' && input.imdsv2 !== 'required')
      fail(`imdsv2 ${JSON.stringify(input.imdsv2)} is unknown. Use "optional" or "required".`);
    step.imdsv2 = input.imdsv2;
  }
  if (input.apply !== undefined) step.apply = parseApply(input.apply);
  if (input.instance !== undefined) {
    if (!INSTANCE_STATES.includes(input.instance as InstanceState))
      fail(
        `instance ${JSON.stringify(input.instance)} is unknown. Use "up", "refused" (connections refused) or "dropped" (connections closed unanswered).`,
      );
    step.instance = input.instance as InstanceState;
  }
  if (input.rules !== undefined) {
    if (!Array.isArray(input.rules) || input.rules.length === 0)
      fail('rules must be a non-empty list of {"match": …, "answer": 401 | "hang" | "drop"}.');
    step.rules = input.rules.map(parseRule);
  }
  if (
    step.clear === undefined &&
    step.imdsv2 === undefined &&
    step.apply === undefined &&
    step.instance === undefined &&
    step.rules === undefined
  ) {
    fail('changes nothing. Give it one of clear, imdsv2, apply, instance or rules.');
  }
  return step;
}

/** The form of an `sqs` section; what its values mean (a URL, loopback, a region) is checked when a replay uses it. */
function parseSqsSection(input: unknown): ScenarioSqs {
  if (!isObject(input))
    fail('sqs must be an object like {"queueUrl": "http://127.0.0.1:9324/000000000000/events", "endpoint": "http://127.0.0.1:9324"}.');
  checkKeys(input, SQS_SETTING_KEYS, 'sqs', `Known settings: ${SQS_SETTING_KEYS.join(', ')}.`);
  for (const [key, value] of Object.entries(input)) {
    if (key === 'allowRemote' ? typeof value !== 'boolean' : typeof value !== 'string')
      fail(`sqs.${key} must be ${key === 'allowRemote' ? 'true or false' : 'text'}.`);
  }
  return input as ScenarioSqs;
}

function stepLabel(input: unknown, index: number): string {
  const name = isObject(input) && typeof input.name === 'string' ? ` "${input.name}"` : '';
  return `step${name} (#${index + 1})`;
}

/** Validates a parsed scenario file (`source` names it in errors) and returns it with every duration in ms. */
export function parseScenario(input: unknown, source: string): Scenario {
  const top = (problem: string): never => {
    throw new ScenarioError(source, problem);
  };
  if (!isObject(input)) top('it is not a JSON object. Write {"format": "aemm-scenario/1", "name": "…", "steps": […]}.');
  const file = input as Json;
  for (const key of Object.keys(file)) {
    if (!['format', 'name', 'description', 'sources', 'steps', 'sqs', '$schema'].includes(key))
      top(`unknown setting "${key}". Known: format, name, description, sources, steps, sqs.`);
  }
  if (file.format !== SCENARIO_FORMAT)
    top(`format is ${JSON.stringify(file.format)}, not "${SCENARIO_FORMAT}". Set "format": "${SCENARIO_FORMAT}".`);
  if (typeof file.name !== 'string' || !NAME.test(file.name))
    top('name is missing or not plain. Give a name of letters, digits, ".", "_" or "-", e.g. "spot-interruption".');
  if (file.description !== undefined && typeof file.description !== 'string') top('description must be text.');
  if (file.sources !== undefined && (!Array.isArray(file.sources) || !file.sources.every((item) => typeof item === 'string')))
    top('sources must be a list of links.');
  if (!Array.isArray(file.steps) || file.steps.length === 0)
    top('it has no steps. Add "steps": [{"name": "notice", "at": "1m", "apply": {"spot": "terminate"}}].');
  let sqs: ScenarioSqs | undefined;
  if (file.sqs !== undefined) {
    try {
      sqs = parseSqsSection(file.sqs);
    } catch (error) {
      if (error instanceof StepProblem) top(error.message);
      throw error;
    }
  }
  const rawSteps = file.steps as unknown[];
  if (rawSteps.length > MAX_STEPS) top(`it has ${rawSteps.length} steps, more than ${MAX_STEPS}. Split it into smaller scenarios.`);
  const names = new Set<string>();
  let goneSince: string | undefined;
  const steps = rawSteps.map((raw, index) => {
    const label = stepLabel(raw, index);
    try {
      if (!isObject(raw) || typeof raw.name !== 'string' || !NAME.test(raw.name)) {
        fail('has no plain "name". Name every step with letters, digits, ".", "_" or "-", e.g. "notice".');
      }
      if (names.has(raw.name)) fail('has the name of an earlier step. Give every step its own name.');
      names.add(raw.name);
      const step = parseStep(raw);
      // Once the instance is gone no request reaches it, so a request trigger there waits forever.
      if (step.timing.kind === 'requests' && goneSince !== undefined) {
        fail(
          `waits for requests, which can never come: the instance is gone since step "${goneSince}". Bring it back first with "instance": "up", or trigger on a control call or a time.`,
        );
      }
      if (step.instance === 'up') goneSince = undefined;
      else if (step.instance !== undefined) goneSince = step.name;
      return step;
    } catch (error) {
      if (error instanceof StepProblem || error instanceof AemmError) throw new ScenarioError(source, `${label}: ${error.message}`);
      throw error;
    }
  });
  return {
    name: file.name as string,
    description: (file.description as string | undefined) ?? '',
    sources: (file.sources as string[] | undefined) ?? [],
    steps,
    ...(sqs ? { sqs } : {}),
  };
}
