import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Cassette, Entry } from '../../src/core/cassette.js';
import { diffCassettes } from '../../src/differ/diff-cassettes.js';
import { formatDiff } from '../../src/differ/format-diff.js';
import { formatDiffStat } from '../../src/differ/format-diff-stat.js';
import { plainPainter, type Painter } from '../../src/differ/painter.js';
import { recordingLibrary } from '../../src/synth/recording-library.js';
import { synthesizeCassette } from '../../src/synth/synthesize-cassette.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

const m7i = synthesizeCassette(recordingLibrary['m7i-large.json']!);
const m7g = synthesizeCassette(recordingLibrary['m7g-large.json']!);
const p5 = synthesizeCassette(recordingLibrary['p5-48xlarge.json']!);
const sides = { a: { label: 'a.json', instanceType: 'm7i.large', region: 'eu-west-1' }, b: { label: 'b.json' } };
const text = (body: string): Entry => ({ status: 200, headers: { 'content-type': 'text/plain' }, body });

test('the tree groups changes by category with counts, values inline, keys below', () => {
  const output = formatDiff(diffCassettes(m7i, m7g), sides, plainPainter);
  assert.equal(
    output,
    [
      '--- a.json  (m7i.large, eu-west-1)',
      '+++ b.json',
      '',
      'dynamic  1 changed',
      '  instance-identity/',
      '    ~ document',
      '        ~ architecture: "x86_64" → "arm64"',
      '        ~ imageId: "ami-0c1f7b3e5d9a20468" → "ami-0f4e8a2c6b1d39057"',
      '        ~ instanceType: "m7i.large" → "m7g.large"',
      '',
      'ami-id  1 changed',
      '  ~ ami-id  ami-0c1f7b3e5d9a20468 → ami-0f4e8a2c6b1d39057',
      '',
      'instance-type  1 changed',
      '  ~ instance-type  m7i.large → m7g.large',
      '',
      'placement  1 changed',
      '  placement/',
      '    ~ partition-number  1 → 2',
      '',
      '0 added, 0 removed, 4 changed in 4 categories',
      'Ids, addresses, MACs, hostnames, times and secrets compared by kind; --raw compares them by value.',
    ].join('\n'),
  );
});

test('a directory only one side has is one line with its entry count', () => {
  const output = formatDiff(diffCassettes(m7i, p5), sides, plainPainter);
  assert.match(output, /^ {8}\+ card-31\.device-1\/ {2}\(15 entries\)$/m);
  assert.doesNotMatch(output, /card-31\.device-1\/subnet-id/);
  assert.match(output, /^network {2}\d+ added, \d+ removed, \d+ changed$/m);
});

test('line, status, header, layout and removal details are spelled out', () => {
  const tiny = createTinyCassette();
  const b: Cassette = { ...tiny, entries: { ...tiny.entries } };
  b.entries['/latest/meta-data/'] = text('ami-id\ninstance-id\nprofile\npublic-keys/\ntags/');
  b.entries['/latest/meta-data/ami-id'] = { status: 404, headers: { 'content-type': 'text/html' }, body: 'ami-0123' };
  b.entries['/latest/meta-data/tags/instance/'] = text('team+ops\nName');
  delete b.entries['/latest/meta-data/instance-id'];
  const output = formatDiff(diffCassettes(tiny, b), sides, plainPainter);
  for (const line of [
    '      - iam/',
    '      + profile',
    '  ~ ami-id',
    '      status 200 → 404',
    '      header content-type: text/plain → text/html',
    '  - instance-id  i-0abc',
    '        layout: line order',
  ]) {
    assert.ok(output.split('\n').includes(line), `missing ${JSON.stringify(line)} in\n${output}`);
  }
});

test('long and multi-line values are quoted and cut', () => {
  const tiny = createTinyCassette();
  const b: Cassette = { ...tiny, entries: { ...tiny.entries, '/latest/meta-data/ami-id': text(`ami-${'x'.repeat(100)}`) } };
  const line = formatDiff(diffCassettes(tiny, b), sides, plainPainter)
    .split('\n')
    .find((item) => item.includes('~ ami-id'));
  assert.match(line ?? '', /^ {2}~ ami-id {2}ami-0123 → "ami-x+…"$/);
});

test('the painter styles markers and headings', () => {
  const tag =
    (name: string) =>
    (value: string): string =>
      `<${name}>${value}</${name}>`;
  const painter: Painter = { added: tag('a'), removed: tag('r'), changed: tag('c'), dim: tag('d'), bold: tag('b') };
  const output = formatDiff(diffCassettes(m7i, m7g), sides, painter);
  assert.match(output, /<r>--- a\.json/);
  assert.match(output, /<b>instance-type<\/b> {2}<d>1 changed<\/d>/);
  assert.match(output, /<c>~<\/c> instance-type/);
});

test('the stat line counts changes and categories', () => {
  assert.equal(formatDiffStat(diffCassettes(m7i, m7g)), '0 added, 0 removed, 4 changed in 4 categories');
  assert.equal(formatDiffStat(diffCassettes(m7i, m7i)), 'no differences');
  const raw = diffCassettes(m7i, m7g, { raw: true, ignore: ['/latest/meta-data/*'] });
  assert.equal(formatDiffStat(raw), '0 added, 0 removed, 4 changed in 1 category');
  assert.match(formatDiff(raw, sides, plainPainter), /^Ignored: \/latest\/meta-data\/\*$/m);
  assert.doesNotMatch(formatDiff(raw, sides, plainPainter), /compared by kind/);
});

test('an added document is summarised by its keys, an added one-line value shown as is', () => {
  const t3 = synthesizeCassette(recordingLibrary['t3-spot-interrupted.json']!);
  const lines = formatDiff(diffCassettes(m7i, t3), sides, plainPainter).split('\n');
  assert.ok(lines.includes('      + ci-runner  (JSON, 7 keys)'), lines.join('\n'));
  const b: Cassette = { ...t3, entries: { ...t3.entries } };
  delete b.entries['/latest/meta-data/spot/'];
  assert.ok(
    formatDiff(diffCassettes(m7i, b), sides, plainPainter)
      .split('\n')
      .includes('    + instance-action  {"action": "terminate", "time": "2026-03-03T05:19:40Z"}'),
  );
});
