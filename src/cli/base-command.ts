import { Command, Errors, type Interfaces } from '@oclif/core';
import { AemmError, InternalError, UsageError } from '../core/errors.js';
import { colors } from './colors.js';

/** Exit code for user mistakes (bad flags, bad files): 2, as diff(1) and most CLIs use. */
export const USAGE_EXIT = 2;

/** Exit code for a bug of ours (`InternalError`): 70, EX_SOFTWARE of sysexits(3). */
export const INTERNAL_EXIT = 70;

/** A user mistake as one line: oclif's multi-line parse errors folded, the flag named once, a pointer to --help. */
export function toOneLine(message: string, helpHint: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('Note:') && !line.startsWith('Alternatively,'));
  // oclif wraps a flag's own parse error as "Parsing --flag" + the error; name the flag once.
  const parsing = lines.length > 1 ? /^Parsing (--[\w-]+)/.exec(lines[0]!) : null;
  if (parsing) {
    lines.shift();
    if (!lines[0]!.includes(parsing[1]!)) lines[0] = `${parsing[1]}: ${lines[0]}`;
  }
  return lines
    .map((line) => (line === 'See more help with --help' ? helpHint : line))
    .join(' ')
    .replace(/([^.])( See ")/, '$1.$2');
}

/** The first flag or argument given as an empty string, if any: an empty value is a mistake, never "leave it out". */
export function findEmptyValue(flags: Record<string, unknown>, args: Record<string, unknown>): string | undefined {
  const empty = (value: unknown): boolean =>
    (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.some(empty));
  const flag = Object.entries(flags).find(([, value]) => empty(value));
  if (flag) return `--${flag[0]}`;
  const arg = Object.entries(args).find(([, value]) => empty(value));
  return arg ? arg[0].toUpperCase() : undefined;
}

/** Base of every aemm command: user mistakes print one line (a JSON object with --json) and exit 2, never a stack trace. */
export abstract class BaseCommand extends Command {
  // oclif's own bounds on parse() (FlagOutput, ArgOutput) are `{ [name: string]: any }` and not exported.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  protected override async parse<F extends Record<string, any>, B extends Record<string, any>, A extends Record<string, any>>(
    options?: Interfaces.Input<F, B, A>,
    argv?: string[],
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv);
    const empty = findEmptyValue(parsed.flags, parsed.args);
    if (empty) throw new UsageError(`${empty} "" is empty. Give it a value, or leave it out for the default.`);
    return parsed;
  }

  /**
   * Ends a run that finished normally with `code` (diff's 1 for "different", a crawl's 1 for a
   * partial write) while keeping its output and --json result, which `this.exit` would cut short.
   */
  protected setExitCode(code: number): void {
    process.exitCode = code;
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof InternalError) {
      process.stderr.write(`${colors.red('Error:')} ${error.message} (aemm bug, code ${error.code})\n`);
      this.exit(INTERNAL_EXIT);
    }
    // AemmErrors are ours; oclif's CLIErrors are flag and argument mistakes (ExitError is a plain exit).
    if (error instanceof AemmError || (error instanceof Errors.CLIError && !(error instanceof Errors.ExitError))) {
      const hint = `See "${this.config.bin} ${this.id ?? ''} --help".`;
      let message = toOneLine(error.message, hint);
      if (!(error instanceof AemmError) && !message.includes('--help')) message = `${message.replace(/\.?$/, '.')} ${hint}`;
      if (this.jsonEnabled()) {
        const code = error instanceof AemmError ? error.code : 'USAGE';
        process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
      } else {
        process.stderr.write(`${colors.red('Error:')} ${message}\n`);
      }
      this.exit(USAGE_EXIT);
    }
    return super.catch(error);
  }
}
