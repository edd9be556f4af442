import { readFile } from 'node:fs/promises';
import { BUILTIN_SCENARIOS, BUILTIN_SCENARIO_NAMES } from '../core/scenarios/builtin-scenarios.js';
import { parseScenario, ScenarioError } from '../core/scenarios/parse-scenario.js';
import type { Scenario } from '../core/scenarios/scenario.js';
import { toScenario } from '../core/scenarios/to-scenario.js';

/** The largest scenario file read: far more than a thousand steps need. */
const MAX_BYTES = 4 * 1024 * 1024;

/** A built-in scenario by name, or a scenario file by path (a name wins only when no such file is meant: it has no "/" or ".json"). */
export async function loadScenario(nameOrPath: string): Promise<Scenario> {
  const looksLikePath = nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json');
  if (!looksLikePath && Object.hasOwn(BUILTIN_SCENARIOS, nameOrPath)) return toScenario(nameOrPath);
  let text: string;
  try {
    text = await readFile(nameOrPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new ScenarioError(
        nameOrPath,
        `the file does not exist and no built-in scenario has that name. Use a path to a scenario file or one of: ${BUILTIN_SCENARIO_NAMES.join(', ')}.`,
      );
    }
    if (code === 'EISDIR') throw new ScenarioError(nameOrPath, 'it is a directory. Name a .json scenario file.');
    throw new ScenarioError(
      nameOrPath,
      `the file cannot be read (${code ?? (error as Error).message}). Check the path and its permissions.`,
    );
  }
  if (text.length > MAX_BYTES)
    throw new ScenarioError(nameOrPath, `the file is over ${MAX_BYTES / 1024 / 1024} MB. Split it into smaller scenarios.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ScenarioError(nameOrPath, `it is not valid JSON (${(error as Error).message}). Fix the syntax.`);
  }
  return parseScenario(value, nameOrPath);
}
