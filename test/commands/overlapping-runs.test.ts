import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/run-cli.js';

// Tests run CLI commands in one process, often at once; each run must keep its own exit code.
test('overlapping in-process runs each get their own exit code', async () => {
  const runs = await Promise.all(
    Array.from({ length: 6 }, (_, index) =>
      index % 2 === 0 ? runCli(['diff', 'm7i-large', 'm7g-large', '--stat']) : runCli(['inspect', 'default']),
    ),
  );
  assert.deepEqual(
    runs.map((run) => run.code),
    [1, 0, 1, 0, 1, 0],
    runs.map((run) => run.stderr).join(''),
  );
});
