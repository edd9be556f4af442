#!/usr/bin/env node
// `npm run build:binary`: Node single executable applications for `aemm` and `ec2-metadata-mock`
// (linux-x64), in dist-sea/. Each is this Node binary with one esbuild bundle of the bins' entries
// (scripts/bundle-bins.js; CommonJS, as a single executable needs), its V8 code cache, and the
// package's recordings and package.json as assets, injected with postject.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'postject';
import { BUNDLE_OPTIONS, bundleBins, writeEntries } from './bundle-bins.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist-sea');
const work = join(out, '.build');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

async function buildBinary(name, entry, assets) {
  const bundle = join(work, `${name}.cjs`);
  await build({
    ...BUNDLE_OPTIONS,
    entryPoints: [entry],
    outfile: bundle,
    format: 'cjs',
    // The modules find their package through import.meta.url; prepare-sea sets this to the extracted assets.
    define: { ...BUNDLE_OPTIONS.define, 'import.meta.url': 'globalThis.__aemmSeaUrl' },
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
// The entries bundle the built modules, so build them first.
execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
// tsc leaves dist/ newer than the bins' bundles, which bin/run.js then takes for stale and skips.
await bundleBins();
const recordings = readdirSync(join(root, 'recordings'))
  .filter((name) => name.endsWith('.json'))
  .map((name) => `recordings/${name}`);
const files = ['package.json', ...recordings];
// The cache folder a binary unpacks its assets to is named by their contents (src/sea/prepare-sea.ts), hashed here once.
const texts = Object.fromEntries(files.map((file) => [file, readFileSync(join(root, file), 'utf8')]));
const hash = createHash('sha256').update(JSON.stringify(texts)).digest('hex').slice(0, 16);
writeFileSync(join(work, 'assets.json'), JSON.stringify({ files, hash }));
const assets = { 'assets.json': join(work, 'assets.json'), ...Object.fromEntries(files.map((file) => [file, join(root, file)])) };
const entries = await writeEntries(join(work, 'entries'), [join(root, 'dist', 'sea', 'prepare-sea.js')]);
for (const binary of [
  await buildBinary('aemm', entries.aemm, assets),
  await buildBinary('ec2-metadata-mock', entries['ec2-metadata-mock'], assets),
]) {
  console.error(`built ${binary} (${(readFileSync(binary).length / 1024 / 1024).toFixed(0)} MB, Node ${process.version})`);
}
