import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatGoLogPrefix, formatRfc3339, parseGoBool, parseGoInt, parseRfc3339, toWallClock } from '../../src/aemm/go-values.js';

describe('Go value readers and writers', () => {
  test('parseGoInt follows strconv.ParseInt(s, 0, 64)', () => {
    const cases: Array<[string, number | undefined]> = [
      ['10', 10],
      ['-3', -3],
      ['+7', 7],
      ['0', 0],
      ['0x1f', 31],
      ['0X1F', 31],
      ['0o17', 15],
      ['017', 15],
      ['0b101', 5],
      ['1_000', 1000],
      ['0x_1f', 31],
      ['', undefined],
      ['1.5', undefined],
      ['abc', undefined],
      ['08', undefined],
      ['_1', undefined],
      ['1__0', undefined],
      ['1_', undefined],
      [' 1', undefined],
    ];
    for (const [text, value] of cases) assert.equal(parseGoInt(text), value, text);
  });

  test('parseGoBool follows strconv.ParseBool', () => {
    for (const text of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseGoBool(text), true);
    for (const text of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseGoBool(text), false);
    for (const text of ['yes', '', 'tRUE']) assert.equal(parseGoBool(text), undefined);
  });

  test('parseRfc3339 accepts what time.Parse(time.RFC3339) accepts', () => {
    assert.equal(parseRfc3339('2020-01-07T01:03:47Z'), Date.UTC(2020, 0, 7, 1, 3, 47));
    assert.equal(parseRfc3339('2020-01-07T01:03:47+02:00'), Date.UTC(2020, 0, 6, 23, 3, 47));
    assert.equal(parseRfc3339('2020-01-07T01:03:47.250-00:30'), Date.UTC(2020, 0, 7, 1, 33, 47, 250));
    for (const text of [
      '2020-01-07 01:03:47Z',
      '2020-02-30T00:00:00Z',
      '2020-01-07T24:00:00Z',
      '2020-01-07T01:03:47',
      'tomorrow',
      '2020-1-7T01:03:47Z',
    ]) {
      assert.equal(parseRfc3339(text), undefined, text);
    }
  });

  test('formatRfc3339 writes time.Format(time.RFC3339) in a zone, Z for UTC', () => {
    const instant = Date.UTC(2021, 4, 10, 21, 22, 30);
    assert.equal(formatRfc3339(instant, 0), '2021-05-10T21:22:30Z');
    assert.equal(formatRfc3339(instant, -300), '2021-05-10T16:22:30-05:00');
    assert.equal(formatRfc3339(instant, 330), '2021-05-11T02:52:30+05:30');
  });

  test("formatGoLogPrefix is the standard logger's date and time", () => {
    assert.equal(formatGoLogPrefix(Date.UTC(2009, 0, 23, 1, 23, 23), 0), '2009/01/23 01:23:23 ');
  });
});

describe('toWallClock', () => {
  test("keeps the clock reading of the given zone, as AEMM's event dates do", () => {
    assert.equal(toWallClock('2020-01-07T01:03:47+02:00'), Date.UTC(2020, 0, 7, 1, 3, 47));
    assert.equal(toWallClock('2020-01-07T01:03:47Z'), Date.UTC(2020, 0, 7, 1, 3, 47));
    assert.equal(toWallClock('nope'), undefined);
  });
});
