import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { findNodeBinary } from './node-binaries.js';
import { packAndInstall, type InstalledPackage } from './pack-package.js';
import { runNode, startUntil } from './spawn-node.js';

/** Declares the tests that run the installed package's bins and entries on one Node version. */
export function describeInstalledOnNode(version: string): void {
  describe(`the installed package on Node ${version}`, { timeout: 300_000 }, () => {
    let installed: InstalledPackage;
    let node: string;
    before(() => {
      installed = packAndInstall();
      node = findNodeBinary(version);
    });
    const aemm = (): string => join(installed.project, 'node_modules', '.bin', 'aemm');
    const dropIn = (): string => join(installed.project, 'node_modules', '.bin', 'ec2-metadata-mock');

    test('both bins answer --version and --help', async () => {
      const version = await runNode(node, [aemm(), '--version'], installed.project);
      assert.equal(version.code, 0, version.stderr);
      assert.match(version.stdout, /^ec2-imds-replay\/0\.\d+\.\d+ linux-x64 node-v/);
      const help = await runNode(node, [aemm(), '--help'], installed.project);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /replay +Serve a cassette/);
      assert.equal((await runNode(node, [dropIn(), '--version'], installed.project)).stdout.trim(), 'v1.12.0');
      assert.match(
        (await runNode(node, [dropIn(), '--help'], installed.project)).stdout,
        /^ec2-metadata-mock is a tool to mock Amazon EC2 instance metadata\./,
      );
    });

    test('aemm replay --port 0 serves the embedded recording, with no warning on stderr', async () => {
      const server = await startUntil(node, [aemm(), 'replay', '--port', '0', '--quiet'], installed.project, /http:\/\/127\.0\.0\.1:\d+/);
      const response = await fetch(`${server.ready[0]}/latest/meta-data/instance-id`);
      assert.equal(await response.text(), 'i-1234567890abcdef0');
      const stopped = await server.stop();
      assert.equal(stopped.code, 0);
      assert.equal(stopped.stderr, '');
    });

    test('an ESM consumer imports the three entries', async () => {
      const result = await runNode(node, ['esm.mjs'], installed.project);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.deepEqual(JSON.parse(result.stdout), {
        startServer: 'function',
        loadCassette: 'function',
        handlers: true,
        instanceId: 'i-1234567890abcdef0',
        instanceType: 'm7g.large',
      });
    });

    test('a CommonJS consumer require()s the package and serves', async () => {
      const result = await runNode(node, ['cjs.cjs'], installed.project);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '', 'no ExperimentalWarning for require(esm)');
      assert.deepEqual(JSON.parse(result.stdout), {
        status: 200,
        body: 'i-1234567890abcdef0',
        msw: 'function',
        cassette: 'aemm-cassette/1',
      });
    });
  });
}
