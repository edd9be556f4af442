import { Errors, toConfiguredId, type Hook } from '@oclif/core';
import { distance } from 'fastest-levenshtein';

/** Exit code for a command that does not exist: 127, as a shell and oclif's not-found plugin use. */
export const NOT_FOUND_EXIT = 127;

/** The command id closest to `id` by edit distance (what oclif's not-found plugin suggests too). */
function findClosest(id: string, ids: readonly string[]): string | undefined {
  let best: [string, number] | undefined;
  for (const candidate of ids) {
    const score = distance(id, candidate);
    if (!best || score < best[1]) best = [candidate, score];
  }
  return best?.[0];
}

/** What the bundled CLI's help command adds when the subject of `aemm help …` names no command. */
interface HelpMistake {
  fromHelp?: boolean;
}

/**
 * The hook's context with a `runCommand` that shows the help of the command it is given, so that
 * saying yes to "Did you mean replay?" after `aemm help replya` shows `aemm help replay` instead
 * of starting a replay.
 */
function toHelpContext(context: Hook.Context): Hook.Context {
  const { config } = context;
  const runHelp = (id: string, argv: string[] = []): Promise<unknown> => config.runCommand('help', [...id.split(':'), ...argv]);
  return { ...context, config: Object.assign(Object.create(config) as typeof config, { runCommand: runHelp }) };
}

/**
 * The `command_not_found` hook: on a terminal, oclif's not-found plugin asks "Did you mean …?";
 * otherwise (a script, CI, or with --json) one line names the mistake and the fix, and the exit
 * code is 127.
 */
const reportCommandNotFound: Hook<'command_not_found'> = async function (options) {
  const json = options.argv?.includes('--json') ?? false;
  if (process.stdin.isTTY && !json) {
    const { default: askDidYouMean } = await import('@oclif/plugin-not-found');
    return askDidYouMean.call((options as HelpMistake).fromHelp ? toHelpContext(this) : this, options);
  }
  const { config } = options;
  const hidden = new Set(config.commands.filter((command) => command.hidden).map((command) => command.id));
  const ids = [...config.commandIDs, ...config.commands.flatMap((command) => command.aliases)].filter((id) => !hidden.has(id));
  // oclif joins every word before the first flag into the id ("replya m7i-large" → "replya:m7i-large"):
  // past the first word, the rest belongs to the mistake only when that word is a topic.
  const parts = options.id.split(':');
  const mistake = config.findTopic(parts[0]!) ? options.id : parts[0]!;
  // "aemm replay help" reaches here as the id "replay:help": the fix is "aemm help replay".
  const closest = parts.includes('help') ? ['help', ...parts.filter((part) => part !== 'help')].join(':') : findClosest(mistake, ids);
  const given = toConfiguredId(mistake, config);
  const suggestion = closest === undefined ? '' : `; did you mean "${toConfiguredId(closest, config)}"?`;
  const message = `"${given}" is not a command${suggestion} See ${config.bin} --help.`;
  if (json) process.stdout.write(`${JSON.stringify({ error: { code: 'COMMAND_NOT_FOUND', message } })}\n`);
  else process.stderr.write(`${config.bin}: ${message}\n`);
  return Errors.exit(NOT_FOUND_EXIT);
};

export default reportCommandNotFound;
