import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./helpers/diff-deep-keys.ts', import.meta.url));

test('aemm diff --ignore "**/spot/*" on keys 4000 levels deep answers at once (issue 11 item 1)', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, '4000'], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(run.signal, null, 'the diff did not finish within 10 s');
  assert.equal(run.status, 0, run.stderr);
  assert.ok(Number(run.stdout) >= 1, 'the deep keys differ');
});
