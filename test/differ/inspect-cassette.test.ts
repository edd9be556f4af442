import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspectCassette, type InspectNode } from '../../src/differ/inspect-cassette.js';
import { formatInspection } from '../../src/differ/format-inspection.js';
import { plainPainter } from '../../src/differ/painter.js';
import { recordingLibrary } from '../../src/synth/recording-library.js';
import { synthesizeCassette } from '../../src/synth/synthesize-cassette.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

function walk(node: InspectNode, visit: (node: InspectNode) => void): void {
  visit(node);
  for (const child of node.children ?? []) walk(child, visit);
}

function find(tree: InspectNode, path: string): InspectNode {
  const found: InspectNode[] = [];
  walk(tree, (node) => {
    if (node.path === path) found.push(node);
  });
  assert.equal(found.length, 1, `one node at ${path}`);
  return found[0]!;
}

test('every entry is a node with its body size, and directories total what is under them', () => {
  const tiny = createTinyCassette();
  const inspection = inspectCassette(tiny);
  assert.equal(find(inspection.tree, '/latest/meta-data/ami-id').size, 8);
  assert.equal(find(inspection.tree, '/latest/user-data').size, 4, 'base64 bodies count decoded bytes');
  assert.equal(find(inspection.tree, '/latest/user-data').binary, true);
  walk(inspection.tree, (node) => {
    if (!node.children) return assert.equal(node.totalSize, node.size, node.path);
    const below = node.children.reduce((sum, child) => sum + child.totalSize, 0);
    assert.equal(node.totalSize, node.size + below, node.path);
    assert.equal(node.entries, (node.recorded ? 1 : 0) + node.children.reduce((sum, child) => sum + child.entries, 0), node.path);
  });
  const bytes = Object.values(tiny.entries).reduce(
    (sum, entry) => sum + (entry.body !== undefined ? Buffer.byteLength(entry.body) : Buffer.from(entry.bodyBase64 ?? '', 'base64').length),
    0,
  );
  assert.equal(inspection.tree.totalSize, bytes);
  assert.equal(inspection.totals.bytes, bytes);
  assert.equal(inspection.tree.entries, Object.keys(tiny.entries).length);
  assert.deepEqual(inspection.totals, { entries: 20, listings: 10, leaves: 10, bytes, binary: 1, errors: 0 });
});

test('directories implied by deeper entries appear without a listing', () => {
  const node = find(inspectCassette(createTinyCassette()).tree, '/2009-04-04/meta-data/');
  assert.equal(node.recorded, false);
  assert.equal(node.entries, 1);
  assert.equal(node.status, undefined);
});

test('meta and identity facts are reported', () => {
  const inspection = inspectCassette(synthesizeCassette(recordingLibrary['m7g-large.json']!));
  assert.equal(inspection.format, 'aemm-inspect/1');
  assert.equal(inspection.meta.instanceType, 'm7g.large');
  assert.equal(inspection.meta.synthetic, true);
  assert.deepEqual(inspection.instance, {
    instanceId: 'i-0e2b6d84c1f9a3752',
    instanceType: 'm7g.large',
    architecture: 'arm64',
    imageId: 'ami-0f4e8a2c6b1d39057',
    region: 'eu-west-1',
    availabilityZone: 'eu-west-1a',
  });
});

test('the text form shows meta, then the tree down to the depth asked for', () => {
  const inspection = inspectCassette(synthesizeCassette(recordingLibrary['m7i-large.json']!));
  const output = formatInspection(inspection, 'm7i.json', plainPainter, { depth: 2 });
  const lines = output.split('\n');
  assert.equal(lines[0], 'm7i.json  (synthetic)');
  assert.ok(lines.includes('  instance     m7i.large (x86_64)'));
  assert.ok(lines.includes('  region       eu-west-1, eu-west-1a'));
  assert.ok(lines.includes('  redactions   none'));
  assert.match(output, /^ {4}meta-data\/ +[\d,]+ B {2}\d+ entries$/m);
  assert.doesNotMatch(output, /ami-id/, 'depth 2 stops at meta-data/');
  assert.match(formatInspection(inspection, 'm7i.json', plainPainter), /^ {6}ami-id +21 B$/m);
});
