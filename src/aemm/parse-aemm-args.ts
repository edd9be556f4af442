import { UsageError } from '../core/errors.js';
import {
  AEMM_BIN, AEMM_EXTRA_FLAGS, AEMM_GLOBAL_FLAGS, findAemmCommand, getAemmCommand,
  type AemmCommand, type AemmCommandInfo, type AemmFlag,
} from './aemm-flags.js';
import { parseGoBool, parseGoInt } from './go-values.js';

// Command-line syntax mistakes, which the drop-in answers like AEMM's cobra: the message, then a pointer to --help.
const ARGS = { code: 'AEMM_ARGS' } as const;

/** One flag given on the command line, with its typed value and the text AEMM's start-up log shows for it. */
export interface GivenAemmFlag {
  flag: AemmFlag;
  value: string | number | boolean;
  shown: string;
}

/** What the command line asks for. */
export type AemmInvocation =
  | { action: 'help'; command: AemmCommandInfo; unknownTopic?: string }
  | { action: 'version' }
  | { action: 'run'; command: AemmCommand; flags: GivenAemmFlag[] };

const HELP_FLAG = (command: AemmCommandInfo): AemmFlag => ({
  name: 'help', short: 'h', type: 'bool', usage: `help for ${command.name === 'root' ? AEMM_BIN : command.name}`,
});

/** Every flag a command accepts: its own, --help, and the global ones (AEMM's and ours). */
export function listAemmFlags(command: AemmCommandInfo): AemmFlag[] {
  return [...command.flags, HELP_FLAG(command), ...AEMM_GLOBAL_FLAGS, ...AEMM_EXTRA_FLAGS];
}

function label(flag: AemmFlag): string {
  return flag.short ? `-${flag.short}, --${flag.name}` : `--${flag.name}`;
}

function typed(flag: AemmFlag, raw: string): GivenAemmFlag {
  if (flag.type === 'bool') {
    const value = parseGoBool(raw);
    if (value === undefined) throw new UsageError(`invalid argument "${raw}" for "${label(flag)}" flag: use true or false`, ARGS);
    return { flag, value, shown: String(value) };
  }
  if (flag.type === 'int') {
    const value = parseGoInt(raw);
    if (value === undefined) throw new UsageError(`invalid argument "${raw}" for "${label(flag)}" flag: use a whole number`, ARGS);
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
function parseFlags(args: readonly string[], flags: readonly AemmFlag[]): { given: Map<string, GivenAemmFlag>; positional: string[] } {
  const given = new Map<string, GivenAemmFlag>();
  const positional: string[] = [];
  const set = (flag: AemmFlag, raw: string): void => {
    given.delete(flag.name);
    given.set(flag.name, typed(flag, raw));
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
      if (!flag) throw new UsageError(`unknown flag: --${name}`, ARGS);
      if (eq !== -1) set(flag, arg.slice(eq + 1));
      else if (flag.type === 'bool') set(flag, 'true');
      else if (i + 1 < args.length) set(flag, args[++i]!);
      else throw new UsageError(`flag needs an argument: --${name}`, ARGS);
    } else if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const short = arg[j]!;
        const flag = flags.find((candidate) => candidate.short === short);
        if (!flag) throw new UsageError(`unknown shorthand flag: '${short}' in ${arg}`, ARGS);
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
        else throw new UsageError(`flag needs an argument: '${short}' in ${arg}`, ARGS);
        break;
      }
    } else {
      positional.push(arg);
    }
  }
  return { given, positional };
}

/**
 * Reads `ec2-metadata-mock`'s arguments as AEMM's cobra/pflag CLI does: a command (or alias)
 * anywhere among the flags, global flags before or after it, `--flag value`, `--flag=value`,
 * `-d 5`, `-d5`, grouped `-Is`, `help [command]`, `-h`, `-v`. Throws a UsageError with cobra's wording.
 */
export function parseAemmArgs(args: readonly string[]): AemmInvocation {
  const at = findCommandWord(args);
  const word = at === undefined ? undefined : args[at]!;
  if (word === 'help') {
    const { positional } = parseFlags(args.slice(at! + 1), listAemmFlags(getAemmCommand('root')));
    const topic = positional[0];
    const found = topic === undefined ? getAemmCommand('root') : findAemmCommand(topic);
    return found ? { action: 'help', command: found } : { action: 'help', command: getAemmCommand('root'), unknownTopic: topic };
  }
  const sub = word === undefined ? undefined : findAemmCommand(word);
  const command = sub ?? getAemmCommand('root');
  const rest = sub ? [...args.slice(0, at), ...args.slice(at! + 1)] : [...args];
  const { given, positional } = parseFlags(rest, listAemmFlags(command));
  if (given.get('help')?.value === true) return { action: 'help', command };
  if (given.get('version')?.value === true) return { action: 'version' };
  if (!sub && positional.length > 0) throw new UsageError(`unknown command "${positional[0]}" for "${AEMM_BIN}"`, ARGS);
  given.delete('help');
  given.delete('version');
  return { action: 'run', command: command.name, flags: [...given.values()] };
}
