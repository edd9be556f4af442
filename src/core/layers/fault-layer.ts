import type { Intercept, Layer } from '../layer.js';
import { createPathMatcher } from '../create-path-matcher.js';
import type { FaultConfig } from './layer-settings.js';
import type { LayerState } from './layer-state.js';

/** Faults per path glob: a status, added latency, a dropped connection or a request left hanging. */
export function createFaultLayer(faults: readonly FaultConfig[], state: LayerState): Layer {
  const rules = faults.map((fault) => {
    let counter = state.faultsLeft.get(fault);
    if (!counter) state.faultsLeft.set(fault, (counter = { left: fault.times ?? Infinity }));
    return { fault, matches: createPathMatcher([fault.path], 'fault path'), counter };
  });
  return {
    name: 'faults',
    intercept({ path }) {
      let outcome: Intercept | undefined;
      for (const rule of rules) {
        if (rule.counter.left <= 0 || !rule.matches(path)) continue;
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
