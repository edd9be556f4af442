import { type Command, Config, Errors, flush, handle, type Hook, type Interfaces, Plugin, run } from '@oclif/core';

/** A command module as a bundle imports it on demand. */
type CommandModule = { default: Command.Class };

/** What a bundled aemm needs: everything oclif would otherwise find through files and manifests. */
export interface BundledCli {
  /** The folder that stands for the package root (config.root, the recordings beside it). */
  root: string;
  /** The package's package.json. */
  pjson: { name: string; oclif: Record<string, unknown> };
  /** Every command id → its module, imported only when that command runs. */
  commands: Record<string, () => Promise<CommandModule>>;
  /** The oclif manifest of those commands, written when the bundle was built. */
  manifest: Interfaces.Manifest;
  /** The command ids in the order oclif's `localeCompare` sort puts them, computed at build time. */
  commandOrder: readonly string[];
  /** The `command_not_found` hook. */
  notFound: () => Promise<{ default: Hook<'command_not_found'> }>;
}

/** The oclif `this` of a hook, as oclif's own Config.runHook builds it. */
function createHookContext(config: Config): Hook.Context {
  return {
    config,
    debug: () => undefined,
    error: (message: string | Error, options?: { exit?: number }) => Errors.error(message, { exit: options?.exit ?? 1 }),
    exit: (code = 0) => Errors.exit(code),
    log: (message = '') => process.stdout.write(`${message}\n`),
    warn: (message: string | Error) => Errors.warn(message),
  } as Hook.Context;
}

/**
 * Runs `load` with `String.prototype.localeCompare` answering from `order` when both strings are
 * in it (and no locale or options are given), so that oclif's sort of the command ids needs no
 * ICU collator: creating the first one costs a start about 11 ms. Any other comparison goes to
 * the real method, which is back in place when `load` settles.
 */
export async function withKnownOrder<T>(order: readonly string[], load: () => Promise<T>): Promise<T> {
  const rank = new Map(order.map((id, index) => [id, index]));
  const original = String.prototype.localeCompare;
  function localeCompare(this: string, that: string, ...rest: unknown[]): number {
    const left = rest.length === 0 && typeof that === 'string' ? rank.get(String(this)) : undefined;
    const right = left === undefined ? undefined : rank.get(that);
    if (left !== undefined && right !== undefined) return Math.sign(left - right);
    return (original as (this: string, ...args: unknown[]) => number).call(this, that, ...rest);
  }
  String.prototype.localeCompare = localeCompare as typeof original;
  try {
    return await load();
  } finally {
    String.prototype.localeCompare = original;
  }
}

/** The words before the first flag: a command id and its topics, as oclif reads them (`events preview` is `events:preview`). */
function leadingWords(argv: readonly string[]): string[] {
  const words: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('-')) break;
    words.push(arg);
  }
  return words;
}

/**
 * Walks the words as oclif's topics: the first prefix that is neither a command nor a topic is
 * the mistake, returned with how many words it takes; undefined when the words reach a command
 * (or run out inside a topic).
 */
function findUnknownPrefix(
  words: readonly string[],
  isCommand: (id: string) => boolean,
  isTopic: (id: string) => boolean,
): { id: string; count: number } | undefined {
  for (let count = 1; count <= words.length; count++) {
    const id = words.slice(0, count).join(':');
    if (isCommand(id)) return undefined;
    if (!isTopic(id)) return { id, count };
  }
  return undefined;
}

/**
 * The help command, reporting a subject that names no command (`aemm help replya`) through the
 * `command_not_found` hook, as `aemm replya` does, instead of the help plugin's own error.
 */
function toGuardedHelp(Help: Command.Class): Command.Class {
  return class GuardedHelp extends (Help as unknown as new (argv: string[], config: Config) => Command) {
    override async run(): Promise<unknown> {
      const unknown = findUnknownPrefix(
        leadingWords(this.argv),
        (id) => this.config.findCommand(id) !== undefined,
        (id) => this.config.findTopic(id) !== undefined,
      );
      if (!unknown) return (Help.prototype as Command).run.call(this);
      const result = await this.config.runHook('command_not_found', {
        id: unknown.id,
        argv: this.argv.slice(unknown.count),
        fromHelp: true,
      } as never);
      if (result.failures[0]) throw result.failures[0].error;
      return result.successes[0]?.result;
    }
  } as unknown as Command.Class;
}

/**
 * argv without its help flags when they ask for help on a command that does not exist
 * (`aemm replya --help`), so that it is reported as `aemm replya` is; otherwise argv as given.
 */
function dropHelpOnUnknownCommand(argv: string[], manifest: Interfaces.Manifest, helpFlags: readonly string[]): string[] {
  const end = argv.includes('--') ? argv.indexOf('--') : argv.length;
  const isHelpFlag = (arg: string, index: number): boolean => index < end && helpFlags.includes(arg);
  if (!argv.some(isHelpFlag)) return argv;
  const words = leadingWords(argv.slice(0, end));
  if (words[0] === 'help') return argv;
  const ids = new Set<string>();
  const topics = new Set<string>();
  for (const [id, command] of Object.entries(manifest.commands)) {
    for (const name of [id, ...command.aliases, ...(command.hiddenAliases ?? [])]) {
      ids.add(name);
      const parts = name.split(':');
      for (let count = 1; count < parts.length; count++) topics.add(parts.slice(0, count).join(':'));
    }
  }
  const unknown = findUnknownPrefix(
    words,
    (id) => ids.has(id),
    (id) => topics.has(id),
  );
  return unknown ? argv.filter((arg, index) => !isHelpFlag(arg, index)) : argv;
}

/**
 * Runs the aemm CLI from a bundle (the bins' one-file build, and the single executables): oclif
 * finds commands, plugins and hooks through files, which a bundle has none of, so its root plugin
 * is built here from the bundled command modules and the manifest written at build time, and
 * only the command that runs is imported.
 */
export async function runBundledCli({ root, pjson, commands, manifest, commandOrder, notFound }: BundledCli): Promise<void> {
  const { hooks: _hooks, plugins: _plugins, ...oclif } = pjson.oclif;
  const bundled = { ...pjson, oclif: { ...oclif, commands: { strategy: 'explicit', target: './commands.js', identifier: 'COMMANDS' } } };
  const plugin = new Plugin({ root, isRoot: true, pjson: bundled as never, type: 'core' });
  // Plugin.load() would otherwise read oclif.manifest.json from disk or import every command to write one.
  Object.assign(plugin, {
    _manifest: async () => {
      plugin.commandIDs = Object.keys(manifest.commands);
      return manifest;
    },
    findCommand: async (id: string, options: { must?: boolean } = {}) => {
      const load = Object.hasOwn(commands, id) ? commands[id] : undefined;
      if (!load) return options.must ? Errors.error(`command ${id} not found`) : undefined;
      const loaded = (await load()).default;
      const command = id === 'help' ? toGuardedHelp(loaded) : loaded;
      return Object.assign(command, { id, plugin });
    },
  });
  try {
    await withKnownOrder(commandOrder, () => plugin.load());
    // oclif builds its own Config from these options, so the hook goes on the class: this process is ours alone.
    const runHook = Config.prototype.runHook;
    Config.prototype.runHook = async function (this: Config, event: string, options: Record<string, unknown>, ...rest: unknown[]) {
      if (event !== 'command_not_found') return (runHook as (...args: unknown[]) => Promise<unknown>).call(this, event, options, ...rest);
      const context = createHookContext(this);
      try {
        const hook = (await notFound()).default;
        return { failures: [], successes: [{ plugin, result: await hook.call(context, { ...options, config: this, context } as never) }] };
      } catch (error) {
        return { failures: [{ error, plugin }], successes: [] };
      }
    } as typeof runHook;
    const helpFlags = ['--help', ...((oclif.additionalHelpFlags as string[] | undefined) ?? [])];
    const argv = dropHelpOnUnknownCommand(process.argv.slice(2), manifest, helpFlags);
    await run(argv, { root, plugins: new Map([[pjson.name, plugin]]) } as never);
    await flush();
  } catch (error) {
    await handle(error as Error);
  }
}
