#!/usr/bin/env node
// Runs every *.test.ts under test/ with node's own runner (Node 20 expands no globs and needs tsx
// for TypeScript), after a type check of src and test.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function findTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((item) => {
    const path = join(dir, item.name);
    if (item.isDirectory()) return item.name === 'bench' || item.name === 'node_modules' ? [] : findTests(path);
    return item.name.endsWith('.test.ts') ? [relative(root, path)] : [];
  });
}

const only = process.argv.slice(2);
const files = only.length > 0 ? only : findTests(join(root, 'test')).sort();
const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

if (only.length === 0) {
  const tsc = join(root, 'node_modules', '.bin', 'tsc');
  if (run(tsc, ['-p', 'tsconfig.json', '--noEmit']) !== 0 || run(tsc, ['-p', 'test/tsconfig.json', '--noEmit']) !== 0) {
    console.error('Type check failed; fix the errors above.');
    process.exit(1);
  }
  // The CLI tests run the built bin, so build what the type check just accepted.
  if (run(tsc, ['-p', 'tsconfig.json']) !== 0) process.exit(1);
}
process.exit(run(process.execPath, ['--import', 'tsx', '--test', '--test-reporter', 'spec', ...files]));
