import { AEMM_BIN, AEMM_COMMANDS, AEMM_GLOBAL_FLAGS, getAemmCommand, type AemmCommand, type AemmFlag } from './aemm-flags.js';
import { AEMM_SHELLS, describeAemmShell, type AemmShell } from './render-aemm-completion.js';

/** What help can be shown for: a command, `help` itself, `completion` and each of its shells. */
export type AemmHelpTopic = AemmCommand | 'help' | 'completion' | `completion ${AemmShell}`;

const helpFlag = (name: string): AemmFlag => ({ name: 'help', short: 'h', type: 'bool', usage: `help for ${name}` });
const NO_DESCRIPTIONS: AemmFlag = { name: 'no-descriptions', type: 'bool', usage: 'disable completion descriptions' };

/** A flag table laid out as pflag's FlagUsages does: sorted, usage column aligned, continuation lines indented. */
function renderFlagTable(flags: readonly AemmFlag[]): string {
  const rows = [...flags]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((flag) => {
      const names = flag.short ? `  -${flag.short}, --${flag.name}` : `      --${flag.name}`;
      const type = flag.shownType ?? flag.type;
      return {
        left: names + (type === 'bool' ? '' : ` ${type}`),
        usage: flag.usage + (flag.shownDefault ? ` (default ${flag.shownDefault})` : ''),
      };
    });
  const width = Math.max(...rows.map((row) => row.left.length));
  return rows.map((row) => `${row.left.padEnd(width)}   ${row.usage.replace(/\n/g, `\n${' '.repeat(width + 3)}`)}`).join('\n');
}

/** What cobra's templates need to know about one command. */
interface HelpPage {
  long: string;
  /** The usage lines (`Usage:` section), without indentation. */
  usage: string[];
  aliases?: readonly string[];
  example?: string;
  commands?: { name: string; short: string }[];
  flags: AemmFlag[];
  globalFlags: boolean;
  path: string;
}

function describeTopic(topic: AemmHelpTopic): HelpPage {
  if (topic === 'help') {
    return {
      long: `Help provides help for any command in the application.\nSimply type ${AEMM_BIN} help [path to command] for full details.`,
      usage: [`${AEMM_BIN} help [command] [flags]`],
      flags: [helpFlag('help')],
      globalFlags: true,
      path: `${AEMM_BIN} help`,
    };
  }
  if (topic === 'completion') {
    return {
      long: `Generate the autocompletion script for ${AEMM_BIN} for the specified shell.\nSee each sub-command's help for details on how to use the generated script.\n`,
      usage: [`${AEMM_BIN} completion [command]`],
      commands: AEMM_SHELLS.map((shell) => ({ name: shell, short: `Generate the autocompletion script for ${shell}` })),
      flags: [helpFlag('completion')],
      globalFlags: true,
      path: `${AEMM_BIN} completion`,
    };
  }
  if (topic.startsWith('completion ')) {
    const shell = topic.slice('completion '.length) as AemmShell;
    // cobra leaves `[flags]` off bash's usage line only.
    return {
      long: describeAemmShell(shell),
      usage: [`${AEMM_BIN} completion ${shell}${shell === 'bash' ? '' : ' [flags]'}`],
      flags: [helpFlag(shell), NO_DESCRIPTIONS],
      globalFlags: true,
      path: `${AEMM_BIN} completion ${shell}`,
    };
  }
  const command = getAemmCommand(topic as AemmCommand);
  if (command.name === 'root') {
    const commands = [
      ...AEMM_COMMANDS.filter((sub) => sub.name !== 'root'),
      { name: 'completion', short: 'Generate the autocompletion script for the specified shell' },
      { name: 'help', short: 'Help about any command' },
    ].sort((a, b) => (a.name < b.name ? -1 : 1));
    return {
      long: command.long,
      usage: [`${command.use} [flags]`, `${AEMM_BIN} [command]`],
      example: command.example,
      commands,
      flags: [...command.flags, helpFlag(AEMM_BIN), ...AEMM_GLOBAL_FLAGS],
      globalFlags: false,
      path: AEMM_BIN,
    };
  }
  return {
    long: command.long,
    usage: [`${AEMM_BIN} ${command.use} [flags]`],
    aliases: [command.name, ...command.aliases],
    example: command.example,
    flags: [...command.flags, helpFlag(command.name)],
    globalFlags: true,
    path: `${AEMM_BIN} ${command.name}`,
  };
}

/**
 * A command's usage as cobra prints it after an error (and at the end of help): from `Usage:` on,
 * ending in a newline. `bare`: the root's own -h and -v show only once its flags were parsed, so
 * `help nope` prints the root's usage without them.
 */
export function renderAemmUsage(topic: AemmHelpTopic, bare = false): string {
  const page = describeTopic(topic);
  if (bare) page.flags = page.flags.filter((flag) => flag.name !== 'help' && flag.name !== 'version');
  const sections = [`Usage:\n${page.usage.map((line) => `  ${line}`).join('\n')}`];
  if (page.aliases) sections.push(`Aliases:\n  ${page.aliases.join(', ')}`);
  if (page.example) sections.push(`Examples:\n${page.example}`);
  if (page.commands) {
    const pad = Math.max(11, ...page.commands.map((sub) => sub.name.length));
    sections.push(`Available Commands:\n${page.commands.map((sub) => `  ${sub.name.padEnd(pad)} ${sub.short}`).join('\n')}`);
  }
  sections.push(`Flags:\n${renderFlagTable(page.flags)}`);
  if (page.globalFlags) sections.push(`Global Flags:\n${renderFlagTable(AEMM_GLOBAL_FLAGS)}`);
  if (page.commands) sections.push(`Use "${page.path} [command] --help" for more information about a command.`);
  return `${sections.join('\n\n')}\n`;
}

/** Help for a topic in cobra's layout (AEMM's `--help`): the description, then the usage. */
export function renderAemmHelp(topic: AemmHelpTopic): string {
  return `${describeTopic(topic).long.trimEnd()}\n\n${renderAemmUsage(topic)}`;
}
