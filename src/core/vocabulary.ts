// One table per vocabulary. CLI flags, the control API, the library types and the README tables
// all derive from these (test/core/vocabulary.test.ts checks the README against them).

/** Spot interruption actions IMDS announces (docs/imds-behaviour.md §5). */
export const SPOT_ACTIONS = ['terminate', 'stop', 'hibernate'] as const;
/** Scheduled-event codes (docs/imds-behaviour.md §5). */
export const EVENT_CODES = ['instance-reboot', 'system-reboot', 'system-maintenance', 'instance-retirement', 'instance-stop'] as const;
/** Scheduled-event states: `active` events are scheduled, the others are history (docs/imds-behaviour.md §5). */
export const EVENT_STATES = ['active', 'completed', 'canceled'] as const;
/** Auto Scaling target lifecycle states (docs/imds-behaviour.md §5). */
export const ASG_STATES = [
  'InService',
  'Terminated',
  'Detached',
  'Standby',
  'Warmed:Hibernated',
  'Warmed:Running',
  'Warmed:Stopped',
  'Warmed:Terminated',
] as const;
/** How the tags layer treats the recorded tags: add to them, replace them, or serve none (404). */
export const TAGS_MODES = ['merge', 'replace', 'off'] as const;
/** Whether requests need an IMDSv2 token. */
export const TOKEN_MODES = ['optional', 'required'] as const;
/** The kinds of layer that layer settings configure (and that `clear` removes). */
export const LAYER_KINDS = ['spot', 'rebalance', 'events', 'asg', 'tags', 'faults', 'throttle'] as const;

export type SpotAction = (typeof SPOT_ACTIONS)[number];
export type EventCode = (typeof EVENT_CODES)[number];
export type EventState = (typeof EVENT_STATES)[number];
export type AsgState = (typeof ASG_STATES)[number];
export type TagsMode = (typeof TAGS_MODES)[number];
export type LayerKind = (typeof LAYER_KINDS)[number];

/**
 * The run-time control verbs: the name in `POST /__aemm/<verb>` and `aemm control <verb>`, the
 * `control` method it calls, and what its body holds.
 */
export const CONTROL_VERBS = {
  status: { method: 'status', body: 'none (GET)' },
  spot: { method: 'spot', body: 'spot settings' },
  rebalance: { method: 'rebalance', body: 'rebalance settings' },
  event: { method: 'event', body: 'one event' },
  asg: { method: 'asg', body: 'asg settings' },
  tags: { method: 'tags', body: 'tags settings' },
  fault: { method: 'fault', body: 'one fault' },
  throttle: { method: 'throttle', body: 'throttle settings' },
  apply: { method: 'apply', body: 'layer settings' },
  advance: { method: 'advance', body: '{"by": duration}' },
  time: { method: 'setTime', body: '{"at": instant}' },
  imdsv2: { method: 'setTokenMode', body: '{"mode": "optional" or "required"}' },
  clear: { method: 'clear', body: '{"kind"} or none' },
  reset: { method: 'reset', body: 'none' },
} as const;

export type ControlVerb = keyof typeof CONTROL_VERBS;
/** The control verbs in table order. */
export const CONTROL_VERB_NAMES = Object.keys(CONTROL_VERBS) as ControlVerb[];

/** Control verbs of a replay session (scenario and journal) beyond the engine's: `signal` fires a waiting step, `journal` reads requests (GET). */
export const SESSION_VERBS = ['signal', 'journal'] as const;
