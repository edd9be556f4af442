import {
  AEMM_BIN, AEMM_COMMANDS, AEMM_EXTRA_FLAGS, AEMM_GLOBAL_FLAGS, type AemmCommandInfo, type AemmFlag,
} from './aemm-flags.js';
import { listAemmFlags } from './parse-aemm-args.js';

/** A flag table laid out as pflag's FlagUsages does: sorted, usage column aligned, continuation lines indented. */
function renderFlagTable(flags: readonly AemmFlag[]): string {
  const rows = [...flags].sort((a, b) => (a.name < b.name ? -1 : 1)).map((flag) => {
    const names = flag.short ? `  -${flag.short}, --${flag.name}` : `      --${flag.name}`;
    const type = flag.type === 'bool' ? '' : flag.type === 'int' ? ' int' : ' string';
    return { left: names + type, usage: flag.usage + (flag.shownDefault ? ` (default ${flag.shownDefault})` : '') };
  });
  const width = Math.max(...rows.map((row) => row.left.length));
  return rows
    .map((row) => `${row.left.padEnd(width)}   ${row.usage.replace(/\n/g, `\n${' '.repeat(width + 3)}`)}`)
    .join('\n');
}

/**
 * Help for a command in cobra's layout (AEMM's `--help`): description, usage, aliases,
 * examples, commands, flags, global flags; plus a section for the flags AEMM lacks.
 */
export function renderAemmHelp(command: AemmCommandInfo): string {
  const isRoot = command.name === 'root';
  const path = isRoot ? AEMM_BIN : `${AEMM_BIN} ${command.name}`;
  const own = listAemmFlags(command).filter((flag) => !AEMM_EXTRA_FLAGS.includes(flag) && (isRoot || !AEMM_GLOBAL_FLAGS.includes(flag)));
  const sections = [command.long, `Usage:\n  ${isRoot ? '' : `${AEMM_BIN} `}${command.use} [flags]${isRoot ? `\n  ${AEMM_BIN} [command]` : ''}`];
  if (!isRoot) sections.push(`Aliases:\n  ${[command.name, ...command.aliases].join(', ')}`);
  sections.push(`Examples:\n${command.example}`);
  if (isRoot) {
    const commands = [...AEMM_COMMANDS.filter((sub) => sub.name !== 'root'), { name: 'help', short: 'Help about any command' }]
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    const pad = Math.max(11, ...commands.map((sub) => sub.name.length));
    sections.push(`Available Commands:\n${commands.map((sub) => `  ${sub.name.padEnd(pad)} ${sub.short}`).join('\n')}`);
  }
  sections.push(`Flags:\n${renderFlagTable(own)}`);
  if (!isRoot) sections.push(`Global Flags:\n${renderFlagTable(AEMM_GLOBAL_FLAGS)}`);
  sections.push(`Flags of this drop-in that AEMM lacks (global):\n${renderFlagTable(AEMM_EXTRA_FLAGS)}`);
  if (isRoot) sections.push(`Use "${path} [command] --help" for more information about a command.`);
  return `${sections.join('\n\n')}\n`;
}
