import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listFeatures } from '../../src/differ/list-features.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

const TINY = ['instance profile', 'key pair', '2 tags', 'user-data'];

test('meta.description comes first when there is one, and an incomplete file says so last', () => {
  const cassette = createTinyCassette();
  assert.deepEqual(listFeatures(cassette), TINY);
  cassette.meta.description = 'hand-made for a bug report';
  cassette.meta.incomplete = ['/latest/meta-data/ami-id'];
  assert.deepEqual(listFeatures(cassette), ['hand-made for a bug report', ...TINY, 'incomplete']);
});

test('features are read from the entries: lifecycle, spot notice, events', () => {
  const cassette = createTinyCassette();
  const text = (body: string) => ({ status: 200, headers: { 'content-type': 'text/plain' }, body });
  cassette.entries['/latest/meta-data/instance-life-cycle'] = text('spot');
  cassette.entries['/latest/meta-data/spot/instance-action'] = text('{"action": "hibernate", "time": "2026-01-01T00:00:00Z"}');
  cassette.entries['/latest/meta-data/events/maintenance/scheduled'] = text('[]');
  assert.deepEqual(listFeatures(cassette), ['spot', ...TINY, 'spot notice (hibernate)']);
  cassette.entries['/latest/meta-data/events/maintenance/scheduled'] = text('[ {"Code" : "system-reboot"} ]');
  assert.deepEqual(listFeatures(cassette), ['spot', ...TINY, 'scheduled event', 'spot notice (hibernate)']);
});
