// Part of `npm run build` (scripts/build.js, after tsc): bundles the built bins into dist/bundle/
// with esbuild, so `aemm` and `ec2-metadata-mock` load a few dozen files instead of each module of
// dist/ and oclif's CommonJS tree, and oclif needs no file-based discovery: command classes are found by id in the
// bundle (ours in its main chunk, the plugins' in chunks loaded when they run), and their oclif manifest is written into it. The single executables
// (scripts/build-binaries.js) are built from the same entries.
import { Plugin } from '@oclif/core';
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Every command id of the CLI → the built module that defines it (ours from dist/commands, then the plugins'). */
function findCommandModules() {
  const modules = {};
  const commandsDir = join(dist, 'commands');
  for (const file of readdirSync(commandsDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.js'))
    .sort()) {
    modules[
      file
        .replace(/\.js$/, '')
        .split('/')
        .filter((part) => part !== 'index')
        .join(':')
    ] = join(commandsDir, file);
  }
  for (const name of pjson.oclif.plugins) {
    const dir = join(root, 'node_modules', name);
    const manifest = JSON.parse(readFileSync(join(dir, 'oclif.manifest.json'), 'utf8'));
    for (const [id, command] of Object.entries(manifest.commands)) modules[id] = join(dir, ...command.relativePath);
  }
  return modules;
}

/** The oclif manifest of those commands as one root plugin sees them (what oclif would compute at start-up). */
async function writeManifest(modules) {
  const commandCache = {};
  for (const [id, path] of Object.entries(modules)) commandCache[id] = (await import(pathToFileURL(path).href)).default;
  const explicit = {
    ...pjson,
    oclif: { ...pjson.oclif, plugins: [], hooks: {}, commands: { strategy: 'explicit', target: './commands.js', identifier: 'COMMANDS' } },
  };
  const plugin = new Plugin({
    root,
    isRoot: true,
    pjson: explicit,
    type: 'core',
    ignoreManifest: true,
    errorOnManifestCreate: true,
    respectNoCacheDefault: true,
  });
  Object.assign(plugin, { commandCache });
  await plugin.load();
  return plugin.manifest;
}

/**
 * Writes the entry files into `dir` and returns their paths: `aemm` runs runBundledCli over the
 * commands (each one a dynamic import, so a bundle splits it off), `ec2-metadata-mock` runs the
 * drop-in. `preamble` is imported first (the single executables unpack their assets there).
 */
export async function writeEntries(dir, preamble = []) {
  mkdirSync(dir, { recursive: true });
  const modules = findCommandModules();
  const manifest = await writeManifest(modules);
  const from = (path) => JSON.stringify(`./${relative(dir, path).split('\\').join('/')}`);
  const head = preamble.map((path) => `import ${from(path)};`);
  const commands = Object.entries(modules).map(([id, path]) => `  ${JSON.stringify(id)}: () => import(${from(path)}),`);
  const aemm = join(dir, 'aemm.js');
  writeFileSync(
    aemm,
    [
      ...head,
      "import { readFileSync } from 'node:fs';",
      `import { runBundledCli } from ${from(join(dist, 'sea', 'run-bundled-cli.js'))};`,
      // The bundle sits two folders below the package root, as every dist/ module does.
      "const root = new URL('../..', import.meta.url);",
      'void runBundledCli({',
      '  root: decodeURIComponent(root.pathname),',
      "  pjson: JSON.parse(readFileSync(new URL('package.json', root), 'utf8')),",
      `  manifest: ${JSON.stringify(manifest)},`,
      // oclif sorts the commands with localeCompare, whose first call costs a start ~11 ms of ICU set-up; the order is known now.
      `  commandOrder: ${JSON.stringify(Object.keys(manifest.commands).sort((a, b) => a.localeCompare(b)))},`,
      '  commands: {',
      ...commands,
      '  },',
      `  notFound: () => import(${from(join(dist, 'cli', 'command-not-found.js'))}),`,
      '});',
      '',
    ].join('\n'),
  );
  const dropIn = join(dir, 'ec2-metadata-mock.js');
  writeFileSync(
    dropIn,
    [
      ...head,
      `import { runAemm } from ${from(join(dist, 'aemm', 'run-aemm.js'))};`,
      'void runAemm(process.argv.slice(2)).then((code) => {',
      '  process.exitCode = code;',
      '});',
      '',
    ].join('\n'),
  );
  return { aemm, 'ec2-metadata-mock': dropIn };
}

/** What both kinds of bundle share: Node 20, and oclif's TypeScript loaders left out (a bundle runs no plugin sources). */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'error',
  legalComments: 'none',
  keepNames: true,
  minify: true,
  external: ['typescript', 'ts-node', 'tsx', 'pnpapi'],
  // @oclif/core checks its own engines by requiring its package.json beside its sources, which a
  // bundle has not (it fails silently after loading semver); npm checks ours at install.
  define: { 'process.env.OCLIF_DISABLE_ENGINE_WARNING': '"1"' },
};

/**
 * An esbuild plugin for the aemm bundle: our modules' dynamic imports of each other (which keep a
 * tsc-only run and each command light) become static ones, so one chunk holds our code and the
 * replay loads a handful of files, not thirty-odd shared chunks of a few hundred bytes each.
 * Only `lazy` modules (the EventBridge twin, which loads the AWS SDK) and the plugins' commands
 * stay in chunks of their own.
 */
function hoistDynamicImports(lazy) {
  return {
    name: 'hoist-dynamic-imports',
    setup(builder) {
      builder.onLoad({ filter: /\.js$/ }, (args) => {
        if (!args.path.startsWith(dist + sep)) return undefined;
        const hoisted = [];
        const code = readFileSync(args.path, 'utf8').replace(
          /\bimport\(('(\.\.?\/[^']+\.js)'|"(\.\.?\/[^"]+\.js)")\)/g,
          (call, _quoted, single, double) => {
            const target = resolve(dirname(args.path), single ?? double);
            if (!target.startsWith(dist + sep) || lazy.some((path) => target.endsWith(path))) return call;
            hoisted.push(`import * as __hoisted${hoisted.length} from ${JSON.stringify(single ?? double)};`);
            return `Promise.resolve(__hoisted${hoisted.length - 1})`;
          },
        );
        return { contents: `${hoisted.join('')}${code}`, loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** Bundles both bins into dist/bundle/ as ES modules; what a bin imports only on some runs stays in chunks of its own. */
export async function bundleBins() {
  const out = join(dist, 'bundle');
  const work = join(dist, '.bundle-entries');
  rmSync(out, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  const entries = await writeEntries(work);
  // One build per bin: built together, esbuild would cut the code they share into many small
  // chunks, and every further module costs start-up (resolving, loading, even optimising the
  // loader's own path functions) and memory.
  for (const [name, entry] of Object.entries(entries)) {
    await build({
      ...BUNDLE_OPTIONS,
      entryPoints: { [name]: entry },
      outdir: out,
      format: 'esm',
      splitting: true,
      chunkNames: `${name}-[hash]`,
      // Only `record --proxy` loads http-proxy, so bundling it saves no start-up; and from outside
      // node_modules its url.parse() calls would print Node 24's DEP0169 warning.
      external: [...BUNDLE_OPTIONS.external, 'http-proxy'],
      plugins: name === 'aemm' ? [hoistDynamicImports([join('eventbridge', 'sqs', 'start-event-bridge.js')])] : [],
      // oclif and its dependencies are CommonJS and call require() for Node's own modules.
      banner: {
        js: "import { createRequire as __aemmCreateRequire } from 'node:module'; const require = __aemmCreateRequire(import.meta.url);",
      },
    });
  }
  // What the bins run before they import a bundle (it must be in place before V8 compiles one), as a file of its own.
  await build({
    ...BUNDLE_OPTIONS,
    entryPoints: { 'compile-cache': join(dist, 'cli', 'compile-cache.js') },
    outdir: out,
    format: 'esm',
  });
  rmSync(work, { recursive: true, force: true });
  return out;
}
