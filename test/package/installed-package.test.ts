import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findNodeBinary, NODE_VERSIONS } from './node-binaries.js';
import { packAndInstall, type InstalledPackage } from './pack-package.js';
import { runNode, startUntil } from './spawn-node.js';

const SLOW = { timeout: 300_000 };

describe('the packed package, installed from its tarball into a new project', SLOW, () => {
  let installed: InstalledPackage;
  before(() => {
    installed = packAndInstall();
  });
  after(() => rmSync(installed.dir, { recursive: true, force: true }));

  test('ships what runs and nothing that needs the work tree', () => {
    const { files } = installed;
    for (const needed of ['LICENSE', 'README.md', 'package.json', 'oclif.manifest.json', 'bin/run.js', 'bin/ec2-metadata-mock.js', 'dist/index.js', 'dist/index.d.ts', 'recordings/m7i-large.json', 'src/cassette/cassette.schema.json']) {
      assert.ok(files.includes(needed), `${needed} is in the tarball`);
    }
    const unwanted = files.filter((file) => file === 'bin/dev.js' || file.endsWith('.map') || (file.startsWith('src/') && file.endsWith('.ts')) || file.startsWith('dist/synth/') || file.startsWith('test/') || file.startsWith('scripts/'));
    assert.deepEqual(unwanted, []);
    const pjson = JSON.parse(readFileSync(join(installed.packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(pjson.name, 'ec2-imds-replay');
    assert.equal((pjson.scripts as Record<string, string>).prepare, undefined, 'no prepare script runs for consumers');
    assert.match(readFileSync(join(installed.packageDir, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
  });

  for (const version of NODE_VERSIONS) {
    describe(`on Node ${version}`, () => {
      let node: string;
      before(() => {
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
        assert.match((await runNode(node, [dropIn(), '--help'], installed.project)).stdout, /^ec2-metadata-mock is a tool to mock Amazon EC2 instance metadata\./);
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
        assert.deepEqual(JSON.parse(result.stdout), { startServer: 'function', loadCassette: 'function', handlers: true, instanceId: 'i-1234567890abcdef0', instanceType: 'm7g.large' });
      });

      test('a CommonJS consumer require()s the package and serves', async () => {
        const result = await runNode(node, ['cjs.cjs'], installed.project);
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stderr, '', 'no ExperimentalWarning for require(esm)');
        assert.deepEqual(JSON.parse(result.stdout), { status: 200, body: 'i-1234567890abcdef0', msw: 'function', cassette: 'aemm-cassette/1' });
      });
    });
  }

  const tsc = join(import.meta.dirname, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc');
  for (const resolution of ['node16', 'bundler']) {
    test(`a TypeScript consumer type-checks with ${resolution} resolution`, async () => {
      const result = await runNode(process.execPath, [tsc, '-p', `tsconfig.${resolution}.json`], installed.project);
      assert.equal(result.code, 0, result.stdout + result.stderr);
    });
  }

  test('a misspelt option fails to type-check, so the published types are not `any`', async () => {
    const result = await runNode(process.execPath, [tsc, '-p', 'tsconfig.mistake.json'], installed.project);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout, /mistake\.mts.*'imdsV2' does not exist/s);
  });

  test('the installed CLI reads its commands from oclif.manifest.json', async () => {
    // Changing a summary in the manifest only shows if oclif reads the manifest instead of the command modules.
    const path = join(installed.packageDir, 'oclif.manifest.json');
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { commands: Record<string, { summary: string }> };
    manifest.commands.inspect!.summary = 'summary read from the manifest';
    writeFileSync(path, JSON.stringify(manifest));
    const help = await runNode(process.execPath, [join(installed.project, 'node_modules', '.bin', 'aemm'), '--help'], installed.project);
    assert.match(help.stdout, /inspect +summary read from the manifest/);
  });
});
