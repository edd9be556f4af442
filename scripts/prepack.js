#!/usr/bin/env node
// Runs before `npm pack` and `npm publish`: a clean build without source maps (the sources are
// not shipped, so maps would point nowhere), then the oclif manifest, so the installed CLI finds
// its commands without importing every command module at start-up.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(join(root, 'dist'), { recursive: true, force: true });
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const built = spawnSync(tsc, ['-p', 'tsconfig.json', '--sourceMap', 'false'], { cwd: root, stdio: ['ignore', 2, 2] });
if (built.status !== 0) process.exit(built.status ?? 1);
const manifest = spawnSync(process.execPath, [join(root, 'scripts', 'write-oclif-manifest.js')], { cwd: root, stdio: ['ignore', 2, 2] });
process.exit(manifest.status ?? 1);
