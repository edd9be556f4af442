import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { describeInstalledOnNode } from './installed-on-node.js';
import { packAndInstall, type InstalledPackage } from './pack-package.js';
import { runNode } from './spawn-node.js';

const SLOW = { timeout: 300_000 };

describe('the packed package, installed from its tarball into a new project', SLOW, () => {
  let installed: InstalledPackage;
  before(() => {
    installed = packAndInstall();
  });

  test('ships what runs and nothing that needs the work tree', () => {
    const { files } = installed;
    for (const needed of [
      'LICENSE',
      'README.md',
      'package.json',
      'bin/run.js',
      'bin/ec2-metadata-mock.js',
      'dist/bundle/aemm.js',
      'dist/bundle/ec2-metadata-mock.js',
      'dist/index.js',
      'dist/index.d.ts',
      'recordings/m7i-large.json',
      'src/cassette/cassette.schema.json',
    ]) {
      assert.ok(files.includes(needed), `${needed} is in the tarball`);
    }
    const unwanted = files.filter(
      (file) =>
        file === 'bin/dev.js' ||
        file.endsWith('.map') ||
        (file.startsWith('src/') && file.endsWith('.ts')) ||
        file.startsWith('dist/synth/') ||
        file.startsWith('dist/sea/') ||
        file.startsWith('dist/.bundle-entries/') ||
        file.startsWith('test/') ||
        file.startsWith('scripts/'),
    );
    assert.deepEqual(unwanted, []);
    const pjson = JSON.parse(readFileSync(join(installed.packageDir, 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(pjson.name, 'ec2-imds-replay');
    assert.equal((pjson.scripts as Record<string, string>).prepare, undefined, 'no prepare script runs for consumers');
    assert.match(readFileSync(join(installed.packageDir, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0/);
  });

  const tsc = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsc');
  for (const resolution of ['node16', 'bundler']) {
    test(`a TypeScript consumer type-checks with ${resolution} resolution`, async () => {
      const result = await runNode(tsc, ['-p', `tsconfig.${resolution}.json`], installed.project);
      assert.equal(result.code, 0, result.stdout + result.stderr);
    });
  }

  test('a misspelt option or mock setting fails to type-check, so the published types are not `any`', async () => {
    const result = await runNode(tsc, ['-p', 'tsconfig.mistake.json'], installed.project);
    assert.notEqual(result.code, 0);
    const errors = result.stdout.split('\n').filter((line) => /^mistake\.mts\(\d+,\d+\): error/.test(line));
    assert.equal(errors.length, 3, result.stdout);
    assert.match(errors[0]!, /^mistake\.mts\(6,.*'imdsV2' does not exist/);
    assert.match(errors[1]!, /^mistake\.mts\(7,.*"explode"/);
    assert.match(errors[2]!, /^mistake\.mts\(8,.*'acton' does not exist/);
  });

  test('the installed bins run from their bundles, with the oclif manifest built into them', async () => {
    // Without the unbundled modules (in a copy: the install is shared), only the bundles can answer.
    const copy = mkdtempSync(join(tmpdir(), 'ec2-imds-replay-bundle-'));
    try {
      // The package is copied; every other installed package is linked, which resolves the same and copies no files.
      mkdirSync(join(copy, 'node_modules'));
      for (const name of readdirSync(join(installed.project, 'node_modules'))) {
        if (name !== 'ec2-imds-replay') symlinkSync(join(installed.project, 'node_modules', name), join(copy, 'node_modules', name));
      }
      cpSync(installed.packageDir, join(copy, 'node_modules', 'ec2-imds-replay'), { recursive: true, verbatimSymlinks: true });
      const pkg = join(copy, 'node_modules', 'ec2-imds-replay');
      for (const folder of ['commands', 'cli', 'aemm']) rmSync(join(pkg, 'dist', folder), { recursive: true });
      const help = await runNode(process.execPath, [join(pkg, 'bin', 'run.js'), '--help'], copy);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, /inspect +Show a cassette's meta/);
      const dropIn = await runNode(process.execPath, [join(pkg, 'bin', 'ec2-metadata-mock.js'), '--version'], copy);
      assert.equal(dropIn.code, 0, dropIn.stderr);
      assert.equal(dropIn.stdout, 'v1.12.0');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

// The floor version runs here; 22 and 24 have a file each, to stay within the per-file timeout.
describeInstalledOnNode('20.19.0');
