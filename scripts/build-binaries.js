#!/usr/bin/env node
// `npm run build:binary`: Node single executable applications for `aemm` and `ec2-metadata-mock`
// (linux-x64), in dist-sea/. Each is this Node binary with one esbuild bundle (CommonJS, as a
// single executable needs), its V8 code cache, and the package's recordings and package.json as
// assets, injected with postject.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'postject';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist-sea');
const work = join(out, '.build');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** The aemm entry: every command class imported by path (oclif cannot find them in a bundle), plugins' too. */
function writeAemmEntry() {
  const lines = [`import ${JSON.stringify(join(root, 'src', 'sea', 'prepare-sea.ts'))};`, `import { runSeaCli } from ${JSON.stringify(join(root, 'src', 'sea', 'run-sea-cli.ts'))};`];
  const commands = [];
  const add = (id, path) => {
    lines.push(`import command${commands.length} from ${JSON.stringify(path)};`);
    commands.push(`${JSON.stringify(id)}: command${commands.length}`);
  };
  for (const file of readdirSync(join(root, 'src', 'commands')).filter((name) => name.endsWith('.ts')).sort()) add(file.replace(/\.ts$/, ''), join(root, 'src', 'commands', file));
  let notFound = 'undefined';
  for (const plugin of pjson.oclif.plugins) {
    const dir = join(root, 'node_modules', plugin);
    const manifest = JSON.parse(readFileSync(join(dir, 'oclif.manifest.json'), 'utf8'));
    for (const [id, command] of Object.entries(manifest.commands)) add(id, join(dir, ...command.relativePath));
    const hook = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).oclif?.hooks?.command_not_found;
    if (hook) {
      lines.push(`import notFound from ${JSON.stringify(join(dir, typeof hook === 'string' ? hook : hook.target))};`);
      notFound = 'notFound';
    }
  }
  lines.push(`void runSeaCli({ ${commands.join(', ')} }, ${notFound});`);
  const entry = join(work, 'aemm-entry.mjs');
  writeFileSync(entry, `${lines.join('\n')}\n`);
  return entry;
}

async function buildBinary(name, entry, assets) {
  const bundle = join(work, `${name}.cjs`);
  await build({
    entryPoints: [entry], outfile: bundle, bundle: true, platform: 'node', format: 'cjs', target: 'node20',
    // The modules find their package through import.meta.url; prepare-sea sets this to the extracted assets.
    define: { 'import.meta.url': 'globalThis.__aemmSeaUrl' },
    // oclif looks for these only to run TypeScript plugins from source, which a single executable has none of.
    external: ['typescript', 'ts-node', 'tsx', 'pnpapi'],
    logLevel: 'error', legalComments: 'none',
  });
  const config = join(work, `${name}.sea.json`);
  const blob = join(work, `${name}.blob`);
  writeFileSync(config, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets }));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const binary = join(out, name);
  rmSync(binary, { force: true });
  copyFileSync(process.execPath, binary);
  chmodSync(binary, 0o755);
  await inject(binary, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: FUSE });
  return binary;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const recordings = readdirSync(join(root, 'recordings')).filter((name) => name.endsWith('.json')).map((name) => `recordings/${name}`);
const files = ['package.json', ...recordings];
writeFileSync(join(work, 'assets.json'), JSON.stringify(files));
const assets = { 'assets.json': join(work, 'assets.json'), ...Object.fromEntries(files.map((file) => [file, join(root, file)])) };
const ec2Entry = join(root, 'src', 'sea', 'ec2-metadata-mock-sea.ts');
for (const binary of [await buildBinary('aemm', writeAemmEntry(), assets), await buildBinary('ec2-metadata-mock', ec2Entry, assets)]) {
  console.error(`built ${binary} (${(readFileSync(binary).length / 1024 / 1024).toFixed(0)} MB, Node ${process.version})`);
}
