#!/usr/bin/env node
// `npm run build` (and the first step of `npm test`): tsc into dist/, then the bins' bundles into
// dist/bundle/ (scripts/bundle-bins.js). Arguments go to tsc instead of `-b tsconfig.json` (prepack
// passes `-p tsconfig.json --sourceMap false`).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleBins } from './bundle-bins.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = spawnSync(
  join(root, 'node_modules', '.bin', 'tsc'),
  process.argv.length > 2 ? process.argv.slice(2) : ['-b', 'tsconfig.json'],
  { cwd: root, stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
await bundleBins();
