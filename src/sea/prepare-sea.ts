// Imported first by the single executables' entries (scripts/build-binaries.js). A single executable has no package folder, so
// the shipped recordings and package.json travel inside it as assets; this writes them once to a
// per-user cache folder and points `import.meta.url` (which the bundle reads as
// `globalThis.__aemmSeaUrl`) at a file two levels below it, where the modules expect their package.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getAsset, isSea } from 'node:sea';
import { pathToFileURL } from 'node:url';
import { userCacheFolder } from '../cli/cache-folder.js';

/** What assets.json says: the files the single executable carries, and a hash of their contents written at build time. */
interface AssetIndex {
  files: string[];
  hash: string;
}

/**
 * Writes the assets to the cache once (a rename makes them appear whole) and returns that folder.
 * The folder is named by the build's hash of their contents, so a start that finds it reads no asset.
 */
function extractAssets(): string {
  const { files, hash } = JSON.parse(getAsset('assets.json', 'utf8')) as AssetIndex;
  const base = userCacheFolder();
  const root = join(base, `sea-${hash}`);
  if (existsSync(join(root, 'package.json'))) return root;
  mkdirSync(base, { recursive: true, mode: 0o700 });
  const partial = `${root}.${process.pid}`;
  for (const name of files) {
    mkdirSync(join(partial, name, '..'), { recursive: true, mode: 0o700 });
    writeFileSync(join(partial, name), getAsset(name, 'utf8'));
  }
  try {
    renameSync(partial, root);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    // Another process extracted the same assets first.
    if (!existsSync(join(root, 'package.json'))) throw error;
  }
  return root;
}

/** The folder that stands in for the package root inside a single executable. */
export const SEA_ROOT = isSea() ? extractAssets() : '';
// @oclif/core checks its own engines by requiring its package.json from disk, which a single
// executable's require cannot (it warns instead); that check is the build's job here.
if (isSea()) process.env.OCLIF_DISABLE_ENGINE_WARNING = '1';
(globalThis as { __aemmSeaUrl?: string }).__aemmSeaUrl = pathToFileURL(join(SEA_ROOT, 'sea', 'bundle', 'main.js')).href;
