import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./helpers/measure-fault-heap.ts', import.meta.url));

test('distinct long paths leave nothing behind when a fault glob is set (issue 11 item 7)', () => {
  const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', script], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  const grown = Number(run.stdout);
  // 3000 paths of ~1.5 KB: a cache of them (or of their directories) holds several MB and more.
  assert.ok(grown < 2 * 1024 * 1024, `the live heap grew by ${(grown / 1024 / 1024).toFixed(1)} MB`);
});
