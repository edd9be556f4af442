import { Command, Errors } from '@oclif/core';
import { AemmError, InternalError } from '../core/errors.js';
import { colors } from './colors.js';

/** Exit code for user mistakes (bad flags, bad files): 2, as diff(1) and most CLIs use. */
export const USAGE_EXIT = 2;

/** Exit code for a bug of ours (`InternalError`): 70, EX_SOFTWARE of sysexits(3). */
export const INTERNAL_EXIT = 70;

/** A user mistake as one line: oclif's multi-line parse errors folded, the flag named once, a pointer to --help. */
export function toOneLine(message: string, helpHint: string): string {
  const lines = message.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('Note:') && !line.startsWith('Alternatively,'));
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

/** Base of every aemm command: user mistakes print one line and exit 2, never a stack trace. */
export abstract class BaseCommand extends Command {
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
      process.stderr.write(`${colors.red('Error:')} ${message}\n`);
      this.exit(USAGE_EXIT);
    }
    return super.catch(error);
  }
}
