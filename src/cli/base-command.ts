import { Command } from '@oclif/core';
import { AemmError } from '../core/errors.js';
import { colors } from './colors.js';

/** Exit code for user mistakes (bad flags, bad files): 2, as diff(1) and most CLIs use. */
export const USAGE_EXIT = 2;

function isParseError(error: unknown): error is Error {
  return error instanceof Error && 'parse' in error;
}

/** Base of every aemm command: user mistakes print one line and exit 2, never a stack trace. */
export abstract class BaseCommand extends Command {
  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    if (error instanceof AemmError || isParseError(error)) {
      const lines = error.message.split('\n').map((line) => line.trim()).filter(Boolean);
      // oclif wraps a flag's own parse error as "Parsing --flag" + the error; the error alone says it all.
      if (lines.length > 1 && /^Parsing --/.test(lines[0]!)) lines.shift();
      const message = lines
        .map((line) => (line === 'See more help with --help' ? `See "${this.config.bin} ${this.id ?? ''} --help".` : line))
        .join(' ')
        .replace(/([^.])( See ")/, '$1.$2');
      process.stderr.write(`${colors.red('Error:')} ${message}\n`);
      this.exit(USAGE_EXIT);
    }
    return super.catch(error);
  }
}
