#!/usr/bin/env node
// Runs before `npm pack` and `npm publish`: a clean build without source maps (the sources are
// not shipped, so maps would point nowhere), bins bundled with their oclif manifest inside
// (scripts/build.js), so the installed CLI finds its commands without importing every command module.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(join(root, 'dist'), { recursive: true, force: true });
const built = spawnSync(process.execPath, [join(root, 'scripts', 'build.js'), '-p', 'tsconfig.json', '--sourceMap', 'false'], {
  cwd: root,
  stdio: ['ignore', 2, 2],
});
process.exit(built.status ?? 1);
