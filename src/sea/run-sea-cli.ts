import { type Command, Config, Errors, flush, handle, type Hook, Plugin, run } from '@oclif/core';
import { getAsset } from 'node:sea';
import { SEA_ROOT } from './prepare-sea.js';

/** The command-not-found hook of @oclif/plugin-not-found, which oclif cannot load from a file here. */
type NotFoundHook = Hook<'command_not_found'>;

/**
 * Runs the aemm CLI inside a single executable: oclif finds commands through files and
 * manifests, which a single executable lacks, so its root plugin is built here from the bundled
 * command classes, and the not-found hook is called directly.
 */
export async function runSeaCli(commands: Record<string, Command.Class>, notFound?: NotFoundHook): Promise<void> {
  const pjson = JSON.parse(getAsset('package.json', 'utf8')) as { name: string; oclif: Record<string, unknown> };
  pjson.oclif = { ...pjson.oclif, commands: { strategy: 'explicit', target: './commands.js', identifier: 'COMMANDS' }, plugins: [] };
  const plugin = new Plugin({ root: SEA_ROOT, isRoot: true, pjson: pjson as never, type: 'core' });
  // With the explicit strategy, oclif reads commands from this cache before it would import a file.
  Object.assign(plugin, { commandCache: commands });
  try {
    await plugin.load();
    if (notFound) {
      // oclif builds its own Config from these options, so the hook goes on the class: this process is ours alone.
      const runHook = Config.prototype.runHook;
      Config.prototype.runHook = async function (this: Config, event: string, options: Record<string, unknown>, ...rest: unknown[]) {
        if (event !== 'command_not_found') return (runHook as (...args: unknown[]) => Promise<unknown>).call(this, event, options, ...rest);
        const context = {
          config: this,
          debug: () => undefined,
          error: (message: string, errorOptions?: { exit?: number }) => {
            throw Object.assign(new Errors.CLIError(message), { oclif: { exit: errorOptions?.exit ?? 1 } });
          },
          exit: (code = 0) => Errors.exit(code),
          log: (message = '') => process.stdout.write(`${message}\n`),
          warn: (message: string) => Errors.warn(message),
        };
        try {
          return { failures: [], successes: [{ plugin, result: await notFound.call(context as never, { ...options, config: this, context } as never) }] };
        } catch (error) {
          return { failures: [{ error, plugin }], successes: [] };
        }
      } as typeof runHook;
    }
    await run(process.argv.slice(2), { root: SEA_ROOT, plugins: new Map([[pjson.name, plugin]]) } as never);
    await flush();
  } catch (error) {
    await handle(error as Error);
  }
}
