import type { TokenMode } from '../tokens.js';
import type { LayerKind } from '../vocabulary.js';

/** Layer settings as a scenario file holds them: JSON, checked when the file loads. */
export type SettingsInput = Record<string, unknown>;

/** The `format` field every scenario file starts with. */
export const SCENARIO_FORMAT = 'aemm-scenario/1';

/** Whether the instance answers: `up`, or gone with new connections `refused` or `dropped` once open. */
export type InstanceState = 'up' | 'refused' | 'dropped';

/** How a request used IMDSv2 tokens: none sent, one sent (validity unknown), or one the server accepted or refused. */
export type TokenUse = 'absent' | 'presented' | 'valid' | 'invalid';

/** Which requests a trigger counts or a rule answers; every given field must hold. */
export interface RequestMatch {
  /** A path glob in aemm's one glob language (`spot/instance-action`, `/latest/api/token`, `**`). */
  path: string;
  /** Upper-case HTTP method; any when absent. */
  method?: string;
  /** Only requests answered with this status (triggers only: a rule answers before any status exists). */
  status?: number;
  /** Only requests whose token use is this (`present` = `presented`, `valid` or `invalid`). */
  token?: TokenUse | 'present';
  /** Only these client addresses; `in-process` stands for clients without one (aemm/msw). */
  clients?: readonly string[];
}

/** A scenario's own say over requests: answer 401 (a refused token), never answer, or drop the connection. */
export interface RequestRule {
  match: RequestMatch;
  answer: 401 | 'hang' | 'drop';
  /** Apply to this many matching requests, then stop; unlimited when absent. */
  times?: number;
}

/** When a step fires. */
export type StepTiming =
  | { kind: 'start'; offsetMs: number }
  | { kind: 'previous'; offsetMs: number }
  | { kind: 'time'; instant: number }
  | { kind: 'control'; name: string; afterMs: number }
  | { kind: 'requests'; match: RequestMatch; count: number; afterMs: number };

/** One named step of a timeline and what it changes when it fires (in this order: clear, imdsv2, apply, instance, rules). */
export interface ScenarioStep {
  name: string;
  description?: string;
  timing: StepTiming;
  /** Mock kinds (and `rules`) to remove, or `all`. */
  clear?: readonly (LayerKind | 'rules')[] | 'all';
  imdsv2?: TokenMode;
  /** Layer-file settings to stack on the current ones; their triggers count from the step's moment. */
  apply?: SettingsInput;
  instance?: InstanceState;
  rules?: readonly RequestRule[];
}

/** The settings an `sqs` section (of a scenario or a layer file) may hold, in the order help texts list them. */
export const SQS_SETTING_KEYS = [
  'queueUrl',
  'endpoint',
  'region',
  'allowRemote',
  'autoScalingGroupName',
  'lifecycleHookName',
  'notificationMetadata',
] as const;

/**
 * A scenario's `sqs` section: where the EventBridge twin sends its events. The loader checks its
 * form; URLs, the loopback rule and regions are checked when a replay uses it, as for the flags.
 */
export interface ScenarioSqs {
  queueUrl?: string;
  endpoint?: string;
  region?: string;
  allowRemote?: boolean;
  autoScalingGroupName?: string;
  lifecycleHookName?: string;
  notificationMetadata?: string;
}

/** A named timeline of steps over a replay, validated and with every duration in milliseconds. */
export interface Scenario {
  name: string;
  description: string;
  /** Where the sequence comes from (AWS documentation, issues), for readers. */
  sources: readonly string[];
  steps: readonly ScenarioStep[];
  /** Where a replay of it sends its EventBridge events (`--sqs-*` flags win). */
  sqs?: ScenarioSqs;
}
