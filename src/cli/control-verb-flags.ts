import { UsageError } from '../core/errors.js';

const TRIGGER = ['delay', 'at'] as const;

/** Which `aemm control` flags each verb takes, besides --url and --json; anything else is refused, never ignored. */
export const CONTROL_VERB_FLAGS: Readonly<Record<string, readonly string[]>> = {
  status: [],
  reset: [],
  spot: ['action', 'time', ...TRIGGER],
  rebalance: [...TRIGGER],
  event: ['code', 'state', 'not-before', 'not-after', 'not-before-deadline', ...TRIGGER],
  asg: ['state', ...TRIGGER],
  tags: ['tag', 'mode'],
  fault: ['path', 'status', 'latency', 'drop', 'hang', 'times'],
  throttle: ['rate', 'burst', 'status'],
  imdsv2: ['mode'],
  advance: ['by'],
  time: ['at'],
  clear: ['kind'],
  apply: ['file'],
  signal: ['name'],
  journal: ['path', 'since', 'method', 'token', 'limit'],
};

const EVERY_VERB = new Set(['url', 'json']);

/** Throws a UsageError naming the first given flag that `verb` does not take, and the verbs that do. */
export function checkControlFlags(verb: string, given: readonly string[]): void {
  const allowed = CONTROL_VERB_FLAGS[verb] ?? [];
  const stray = given.find((flag) => !EVERY_VERB.has(flag) && !allowed.includes(flag));
  if (stray === undefined) return;
  const owners = Object.entries(CONTROL_VERB_FLAGS)
    .filter(([, flags]) => flags.includes(stray))
    .map(([name]) => name);
  const takes = allowed.length === 0 ? 'takes no flags besides --url' : `takes ${allowed.map((flag) => `--${flag}`).join(', ')}`;
  throw new UsageError(`--${stray} does not apply to "aemm control ${verb}" (it is for ${owners.join(', ')}); ${verb} ${takes}. Drop it.`);
}
