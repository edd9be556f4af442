import type { Intercept, Layer } from '../layer.js';
import { createPathMatcher } from '../create-path-matcher.js';
import type { FaultConfig } from './layer-settings.js';
import type { LayerState } from './layer-state.js';

const MAX_REMEMBERED = 1024;
const MAX_REMEMBERED_PATH = 1024;

/** Faults per path glob: a status, added latency, a dropped connection or a request left hanging. */
export function createFaultLayer(faults: readonly FaultConfig[], state: LayerState): Layer {
  const rules = faults.map((fault) => {
    let counter = state.faultsLeft.get(fault);
    if (!counter) state.faultsLeft.set(fault, (counter = { left: fault.times ?? Infinity }));
    return { fault, matches: createPathMatcher([fault.path], 'fault path'), counter };
  });
  type Rule = (typeof rules)[number];
  // Which globs match a path never changes: each path is matched once, and its rules kept.
  const matching = new Map<string, readonly Rule[]>();
  const rulesFor = (path: string): readonly Rule[] => {
    let found = matching.get(path);
    if (found) return found;
    found = rules.filter((rule) => rule.matches(path));
    // Bounded whatever paths clients make up: long ones are matched afresh, and past the limit it starts over.
    if (path.length <= MAX_REMEMBERED_PATH) {
      if (matching.size >= MAX_REMEMBERED) matching.clear();
      matching.set(path, found);
    }
    return found;
  };
  return {
    name: 'faults',
    intercept({ path }) {
      let outcome: Intercept | undefined;
      for (const rule of rulesFor(path)) {
        if (rule.counter.left <= 0) continue;
        rule.counter.left--;
        outcome ??= {};
        const { fault } = rule;
        if (fault.latencyMs) outcome.delayMs = (outcome.delayMs ?? 0) + fault.latencyMs;
        if (outcome.status !== undefined || outcome.abort !== undefined) continue;
        if (fault.status !== undefined) outcome.status = fault.status;
        else if (fault.drop) outcome.abort = 'drop';
        else if (fault.hang) outcome.abort = 'hang';
      }
      return outcome;
    },
  };
}
