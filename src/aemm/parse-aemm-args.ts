import { UsageError } from '../core/errors.js';
import {
  AEMM_BIN,
  AEMM_EXTRA_FLAGS,
  AEMM_GLOBAL_FLAGS,
  findAemmCommand,
  getAemmCommand,
  type AemmCommand,
  type AemmCommandInfo,
  type AemmFlag,
} from './aemm-flags.js';
import { parseGoBool, parseGoInt } from './go-values.js';
import { AEMM_SHELLS, type AemmShell } from './render-aemm-completion.js';
import type { AemmHelpTopic } from './render-aemm-help.js';

/** A command-line mistake, with the command whose usage cobra prints after it (none: only a `Run … --help` hint). */
export class AemmArgsError extends UsageError {
  constructor(
    message: string,
    readonly topic?: AemmHelpTopic,
  ) {
    super(message, { code: 'AEMM_ARGS' });
  }
}

/** One flag given on the command line, with its typed value and the text AEMM's start-up log shows for it. */
export interface GivenAemmFlag {
  flag: AemmFlag;
  value: string | number | boolean;
  shown: string;
}

/** What the command line asks for. */
export type AemmInvocation =
  /** `viaCommand`: asked with the `help` command, which (unlike `--help`) runs AEMM's config loading first. */
  | { action: 'help'; topic: AemmHelpTopic; viaCommand: boolean; unknownTopic?: string }
  | { action: 'version' }
  | { action: 'completion'; shell: AemmShell; descriptions: boolean }
  | { action: 'complete'; words: string[]; descriptions: boolean }
  | { action: 'run'; command: AemmCommand; flags: GivenAemmFlag[] };

const HELP_FLAG = (command: AemmCommandInfo): AemmFlag => ({
  name: 'help',
  short: 'h',
  type: 'bool',
  usage: `help for ${command.name === 'root' ? AEMM_BIN : command.name}`,
});

/** Every flag a command accepts: its own, --help, and the global ones (AEMM's and ours). */
export function listAemmFlags(command: AemmCommandInfo): AemmFlag[] {
  return [...command.flags, HELP_FLAG(command), ...AEMM_GLOBAL_FLAGS, ...AEMM_EXTRA_FLAGS];
}

function label(flag: AemmFlag): string {
  return flag.short ? `-${flag.short}, --${flag.name}` : `--${flag.name}`;
}

function typed(flag: AemmFlag, raw: string, topic: AemmHelpTopic): GivenAemmFlag {
  if (flag.type === 'bool') {
    const value = parseGoBool(raw);
    if (value === undefined)
      throw new AemmArgsError(
        `invalid argument "${raw}" for "${label(flag)}" flag: strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`,
        topic,
      );
    return { flag, value, shown: String(value) };
  }
  if (flag.type === 'int') {
    const value = parseGoInt(raw);
    if (value === undefined) {
      const problem = /^[+-]?\d+$/.test(raw) ? 'value out of range' : 'invalid syntax';
      throw new AemmArgsError(
        `invalid argument "${raw}" for "${label(flag)}" flag: strconv.ParseInt: parsing ${JSON.stringify(raw)}: ${problem}`,
        topic,
      );
    }
    return { flag, value, shown: String(value) };
  }
  return { flag, value: raw, shown: raw };
}

/**
 * Finds the command word the way cobra does: the first argument that is not a flag or a flag's
 * value, judged with the root command's flags (an unknown `--flag` is assumed to take a value).
 */
function findCommandWord(args: readonly string[]): number | undefined {
  const rootFlags = listAemmFlags(getAemmCommand('root'));
  const isBool = (flag: AemmFlag | undefined): boolean => flag?.type === 'bool';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('--')) {
      if (!arg.includes('=') && !isBool(rootFlags.find((flag) => flag.name === arg.slice(2)))) i++;
    } else if (arg.startsWith('-') && arg.length > 1) {
      if (arg.length === 2 && !isBool(rootFlags.find((flag) => flag.short === arg[1]))) i++;
    } else {
      return i;
    }
  }
  return undefined;
}

/** pflag's parse of `args` against `flags`: long and short forms, `=value`, grouped bool shorthands, `--`. */
function parseFlags(
  args: readonly string[],
  flags: readonly AemmFlag[],
  topic: AemmHelpTopic,
): { given: Map<string, GivenAemmFlag>; positional: string[] } {
  const given = new Map<string, GivenAemmFlag>();
  const positional: string[] = [];
  const set = (flag: AemmFlag, raw: string): void => {
    given.delete(flag.name);
    given.set(flag.name, typed(flag, raw, topic));
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const flag = flags.find((candidate) => candidate.name === name);
      if (!flag) throw new AemmArgsError(`unknown flag: --${name}`, topic);
      if (eq !== -1) set(flag, arg.slice(eq + 1));
      else if (flag.type === 'bool') set(flag, 'true');
      else if (i + 1 < args.length) set(flag, args[++i]!);
      else throw new AemmArgsError(`flag needs an argument: --${name}`, topic);
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const short = arg[j]!;
        const flag = flags.find((candidate) => candidate.short === short);
        if (!flag) throw new AemmArgsError(`unknown shorthand flag: '${short}' in ${arg}`, topic);
        if (arg[j + 1] === '=') {
          set(flag, arg.slice(j + 2));
          break;
        }
        if (flag.type === 'bool') {
          set(flag, 'true');
          continue;
        }
        if (j + 1 < arg.length) set(flag, arg.slice(j + 1));
        else if (i + 1 < args.length) set(flag, args[++i]!);
        else throw new AemmArgsError(`flag needs an argument: '${short}' in ${arg}`, topic);
        break;
      }
    } else {
      positional.push(arg);
    }
  }
  return { given, positional };
}

const NO_DESCRIPTIONS: AemmFlag = { name: 'no-descriptions', type: 'bool', usage: '' };
const helpOnly = (name: string): AemmFlag[] => [HELP_FLAG({ name } as AemmCommandInfo), ...AEMM_GLOBAL_FLAGS, ...AEMM_EXTRA_FLAGS];

/** `completion [shell]`: help without a shell (or with an unknown word), else the shell's script. */
function parseCompletion(rest: readonly string[]): AemmInvocation {
  const { given, positional } = parseFlags(rest, [...helpOnly('completion'), NO_DESCRIPTIONS], 'completion');
  const shell = AEMM_SHELLS.find((name) => name === positional[0]);
  if (!shell) return { action: 'help', topic: 'completion', viaCommand: false };
  const topic: AemmHelpTopic = `completion ${shell}`;
  if (given.get('help')?.value === true) return { action: 'help', topic, viaCommand: false };
  if (positional.length > 1) throw new AemmArgsError(`unknown command "${positional[1]}" for "${AEMM_BIN} completion ${shell}"`, topic);
  return { action: 'completion', shell, descriptions: given.get('no-descriptions')?.value !== true };
}

/**
 * Reads `ec2-metadata-mock`'s arguments as AEMM's cobra/pflag CLI does: a command (or alias)
 * anywhere among the flags, global flags before or after it, `--flag value`, `--flag=value`,
 * `-d 5`, `-d5`, grouped `-Is`, `help [command]`, `-h`, `-v`, `completion SHELL`, and cobra's
 * hidden `__complete`. Throws an AemmArgsError with cobra's wording.
 */
export function parseAemmArgs(args: readonly string[]): AemmInvocation {
  if (args[0] === '__complete' || args[0] === '__completeNoDesc')
    return { action: 'complete', words: args.slice(1), descriptions: args[0] === '__complete' };
  const at = findCommandWord(args);
  const word = at === undefined ? undefined : args[at]!;
  const rest = at === undefined ? [...args] : [...args.slice(0, at), ...args.slice(at + 1)];
  if (word === 'help') {
    const { given, positional } = parseFlags(rest, helpOnly('help'), 'help');
    if (given.get('help')?.value === true) return { action: 'help', topic: 'help', viaCommand: false };
    const topic = positional[0];
    if (topic === undefined) return { action: 'help', topic: 'root', viaCommand: true };
    if (topic === 'help' || topic === 'completion') return { action: 'help', topic, viaCommand: true };
    const found = findAemmCommand(topic);
    return found
      ? { action: 'help', topic: found.name, viaCommand: true }
      : { action: 'help', topic: 'root', viaCommand: true, unknownTopic: topic };
  }
  if (word === 'completion') return parseCompletion(rest);
  const sub = word === undefined ? undefined : findAemmCommand(word);
  const command = sub ?? getAemmCommand('root');
  const { given, positional } = parseFlags(sub ? rest : [...args], listAemmFlags(command), command.name);
  if (given.get('help')?.value === true) return { action: 'help', topic: command.name, viaCommand: false };
  if (given.get('version')?.value === true) return { action: 'version' };
  if (!sub && positional.length > 0) throw new AemmArgsError(`unknown command "${positional[0]}" for "${AEMM_BIN}"`);
  given.delete('help');
  given.delete('version');
  return { action: 'run', command: command.name, flags: [...given.values()] };
}
