import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatGoJson } from '../../src/core/profiles/format-go-json.js';

describe("formatGoJson writes what Go's encoding/json writes", () => {
  test('MarshalIndent with a tab: "key": value, nested objects and arrays, no final newline', () => {
    assert.equal(
      formatGoJson({ a: 'x', b: [{ c: 1 }, null], d: {}, e: [] }, { indent: '\t' }),
      '{\n\t"a": "x",\n\t"b": [\n\t\t{\n\t\t\t"c": 1\n\t\t},\n\t\tnull\n\t],\n\t"d": {},\n\t"e": []\n}',
    );
  });

  test('Marshal (no indent) is compact', () => {
    assert.equal(formatGoJson({ a: { b: 'c' }, d: [1, true] }, { indent: '' }), '{"a":{"b":"c"},"d":[1,true]}');
  });

  test('struct order is kept; map order is sorted when asked, as viper writes its config', () => {
    assert.equal(formatGoJson({ z: 1, a: 2 }, { indent: '' }), '{"z":1,"a":2}');
    assert.equal(
      formatGoJson({ z: 1, a: { y: 1, b: 2 } }, { indent: '  ', sortKeys: true }),
      '{\n  "a": {\n    "b": 2,\n    "y": 1\n  },\n  "z": 1\n}',
    );
  });

  test('HTML characters, U+2028/9 and control characters are escaped as Go does', () => {
    assert.equal(
      formatGoJson('<a & b>\u2028\u2029\u0001"\\\n\t', { indent: '' }),
      '"\\u003ca \\u0026 b\\u003e\\u2028\\u2029\\u0001\\"\\\\\\n\\t"',
    );
  });

  test('a lone surrogate becomes U+FFFD; a pair stays', () => {
    assert.equal(formatGoJson('\ud800x\ud83d\ude00', { indent: '' }), '"\ufffdx\ud83d\ude00"');
  });

  test('undefined members are left out', () => {
    assert.equal(formatGoJson({ a: 1, b: undefined as unknown as null }, { indent: '' }), '{"a":1}');
  });
});
