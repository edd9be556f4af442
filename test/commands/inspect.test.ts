import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runCli } from '../helpers/run-cli.js';

test('prints meta, totals and the tree with sizes', async () => {
  const result = await runCli(['inspect', 'recordings/t3-spot-interrupted.json']);
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.split('\n');
  assert.equal(lines[0], 'recordings/t3-spot-interrupted.json  (synthetic)');
  assert.ok(lines.includes('  instance     t3.medium (x86_64)'));
  assert.ok(lines.includes('  region       ap-southeast-2, ap-southeast-2c'));
  assert.ok(lines.includes('  recorded at  2026-03-03T05:17:42Z'));
  assert.match(result.stdout, /^ {2}entries {6}85 \(\d+ listings, \d+ leaves\), [\d,]+ B$/m);
  assert.match(result.stdout, /^ {6}spot\/ +[\d,]+ B {2}3 entries$/m);
  assert.match(result.stdout, /^ {8}instance-action +55 B$/m);
});

test('--depth limits the tree and --json returns the whole inspection', async () => {
  const shallow = await runCli(['inspect', 'recordings/p5-48xlarge.json', '--depth', '2']);
  assert.equal(shallow.code, 0, shallow.stderr);
  assert.doesNotMatch(shallow.stdout, /network\//);
  assert.match(shallow.stdout, /^ {4}meta-data\/ +[\d,]+ B {2}\d+ entries$/m);
  const json = await runCli(['inspect', 'recordings/p5-48xlarge.json', '--json']);
  const report = JSON.parse(json.stdout) as {
    format: string;
    source: string;
    meta: { instanceType: string };
    totals: { entries: number; bytes: number };
    tree: { totalSize: number };
  };
  assert.equal(report.format, 'aemm-inspect/1');
  assert.equal(report.source, 'recordings/p5-48xlarge.json');
  assert.equal(report.meta.instanceType, 'p5.48xlarge');
  const cassette = JSON.parse(readFileSync(new URL(`../../recordings/p5-48xlarge.json`, import.meta.url), 'utf8')) as {
    entries: Record<string, { body: string }>;
  };
  assert.equal(report.totals.entries, Object.keys(cassette.entries).length);
  assert.equal(
    report.tree.totalSize,
    Object.values(cassette.entries).reduce((sum, entry) => sum + Buffer.byteLength(entry.body), 0),
  );
});

test('without an argument it inspects the embedded default recording', async () => {
  const result = await runCli(['inspect', '--depth', '1']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^recordings\/default\.json \(embedded\)/);
  assert.match(result.stdout, /m5\.large/);
});

test('a missing file or a bad depth exits 2 with one line', async () => {
  for (const args of [
    ['inspect', 'nope.json'],
    ['inspect', '--depth', 'deep'],
  ]) {
    const result = await runCli(args);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /^Error: /);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});
