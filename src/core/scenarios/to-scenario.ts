import { BUILTIN_SCENARIOS, BUILTIN_SCENARIO_NAMES } from './builtin-scenarios.js';
import { parseScenario, ScenarioError } from './parse-scenario.js';
import type { Scenario } from './scenario.js';

/** A scenario from a built-in's name or a scenario file's parsed JSON (`source` names it in errors). */
export function toScenario(input: string | Record<string, unknown>, source = 'scenario'): Scenario {
  if (typeof input !== 'string') return parseScenario(input, source);
  const builtin = Object.hasOwn(BUILTIN_SCENARIOS, input) ? BUILTIN_SCENARIOS[input] : undefined;
  if (!builtin)
    throw new ScenarioError(
      input,
      `there is no built-in scenario of that name. Use one of: ${BUILTIN_SCENARIO_NAMES.join(', ')}, or a path to a scenario file.`,
    );
  return parseScenario(builtin, `${input} (built-in)`);
}
