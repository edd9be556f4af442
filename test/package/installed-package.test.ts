import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
    for (const needed of ['LICENSE', 'README.md', 'package.json', 'oclif.manifest.json', 'bin/run.js', 'bin/ec2-metadata-mock.js', 'dist/index.js', 'dist/index.d.ts', 'recordings/m7i-large.json', 'src/cassette/cassette.schema.json']) {
      assert.ok(files.includes(needed), `${needed} is in the tarball`);
    }
    const unwanted = files.filter((file) => file === 'bin/dev.js' || file.endsWith('.map') || (file.startsWith('src/') && file.endsWith('.ts')) || file.startsWith('dist/synth/') || file.startsWith('dist/sea/') || file.startsWith('test/') || file.startsWith('scripts/'));
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

  test('the installed CLI reads its commands from oclif.manifest.json', async () => {
    // A summary changed in the manifest (of a copy: the install is shared) only shows if oclif reads it.
    const copy = mkdtempSync(join(tmpdir(), 'ec2-imds-replay-manifest-'));
    try {
      // The package is copied; every other installed package is linked, which resolves the same and copies no files.
      mkdirSync(join(copy, 'node_modules'));
      for (const name of readdirSync(join(installed.project, 'node_modules'))) {
        if (name !== 'ec2-imds-replay') symlinkSync(join(installed.project, 'node_modules', name), join(copy, 'node_modules', name));
      }
      cpSync(installed.packageDir, join(copy, 'node_modules', 'ec2-imds-replay'), { recursive: true, verbatimSymlinks: true });
      const path = join(copy, 'node_modules', 'ec2-imds-replay', 'oclif.manifest.json');
      const manifest = JSON.parse(readFileSync(path, 'utf8')) as { commands: Record<string, { summary: string }> };
      manifest.commands.inspect!.summary = 'summary read from the manifest';
      writeFileSync(path, JSON.stringify(manifest));
      const help = await runNode(process.execPath, [join(copy, 'node_modules', 'ec2-imds-replay', 'bin', 'run.js'), '--help'], copy);
      assert.match(help.stdout, /inspect +summary read from the manifest/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

// The floor version runs here; 22 and 24 have a file each, to stay within the per-file timeout.
describeInstalledOnNode('20.19.0');
