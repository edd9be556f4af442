import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findNodeBinary } from './node-binaries.js';
import { runNode, startUntil } from './spawn-node.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'run.js');
const RECORD_TESTS = ['test/commands/record.test.ts', 'test/recorder/start-recording-proxy.test.ts'];

/**
 * Declares the tests that prove `aemm record` on a later Node: http-proxy 1.18 calls util._extend,
 * which prints DEP0060 from Node 22 on. One file per version keeps each file within the per-file timeout.
 */
export function describeRecordOnNode(version: string): void {
  describe(`aemm record --proxy on Node ${version}`, { timeout: 300_000 }, () => {
    let node: string;
    let dir: string;
    before(async () => {
      node = findNodeBinary(version);
      dir = await mkdtemp(join(tmpdir(), 'aemm-record-node-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    test('records through http-proxy and prints no deprecation warning', async () => {
      const upstream = await startUntil(node, [bin, 'replay', '--port', '0', '--quiet'], root, /http:\/\/127\.0\.0\.1:\d+/);
      try {
        const output = join(dir, 'app.json');
        const proxy = await startUntil(
          node,
          [bin, 'record', '--proxy', '-o', output, '--upstream', upstream.ready[0], '--port', '0', '--quiet'],
          root,
          /listening on (http:\/\/127\.0\.0\.1:\d+)/,
        );
        const response = await fetch(`${proxy.ready[1]}/latest/meta-data/instance-id`);
        assert.equal(await response.text(), 'i-1234567890abcdef0');
        const stopped = await proxy.stop();
        assert.equal(stopped.code, 0, stopped.stderr);
        assert.doesNotMatch(stopped.stderr, /Warning/);
        const cassette = JSON.parse(await readFile(output, 'utf8')) as { entries: Record<string, { body?: string }> };
        assert.equal(cassette.entries['/latest/meta-data/instance-id']?.body, 'i-1234567890abcdef0');
      } finally {
        await upstream.stop();
      }
    });

    test('the record tests pass', async () => {
      // Both files in one process (as run.js shares processes), so tsx starts once rather than for a
      // runner and each file. NODE_TEST_CONTEXT would make them report to this runner instead.
      const load = RECORD_TESTS.map((file) => `await import(${JSON.stringify(pathToFileURL(join(root, file)).href)});`).join('\n');
      const result = await runNode(node, ['--import', 'tsx', '--test-reporter', 'tap', '--input-type=module', '--eval', load], root, {
        NODE_TEST_CONTEXT: undefined,
      });
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
      assert.match(result.stdout, /^# pass [1-9]\d*$/m);
      assert.match(result.stdout, /^# fail 0$/m);
    });
  });
}
