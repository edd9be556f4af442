import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  ASG_STATES,
  CONTROL_VERB_NAMES,
  CONTROL_VERBS,
  EVENT_CODES,
  EVENT_STATES,
  LAYER_KINDS,
  SPOT_ACTIONS,
  TAGS_MODES,
  TOKEN_MODES,
} from '../../src/core/vocabulary.js';
import { createReplayEngine, type ReplayControl } from '../../src/core/replay-engine.js';
import { CONTROL_ROUTES } from '../../src/server/control-api.js';
import { createTinyCassette } from '../helpers/tiny-cassette.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The rows of the README table whose header line is `header`, as arrays of cells. */
function tableAfter(header: string): string[][] {
  const lines = readme.split('\n');
  // Prettier pads cells to line the columns up; compare the header with its padding folded.
  const start = lines.findIndex((line) => line.replace(/ +\|/g, ' |').replace(/\| +/g, '| ') === header);
  assert.notEqual(start, -1, `README has no table headed ${header}`);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

const codes = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);

describe('one table per vocabulary', () => {
  test("README's table of setting values is the vocabulary", () => {
    const rows = new Map(tableAfter('| setting | values |').map(([name, values]) => [name!, codes(values!)]));
    assert.deepEqual(Object.fromEntries(rows), {
      'spot `action`': [...SPOT_ACTIONS],
      'event `code`': [...EVENT_CODES],
      'event `state`': [...EVENT_STATES],
      'asg `state`': [...ASG_STATES],
      'tags `mode`': [...TAGS_MODES],
      '`imdsv2`': [...TOKEN_MODES],
      'layer kind (`clear`)': [...LAYER_KINDS],
    });
  });

  test("README's table of control verbs is the vocabulary, and the control API serves each verb", () => {
    const rows = tableAfter('| verb | `control` method | body |');
    assert.deepEqual(
      rows,
      CONTROL_VERB_NAMES.map((verb) => [`\`${verb}\``, `\`${CONTROL_VERBS[verb].method}()\``, CONTROL_VERBS[verb].body]),
    );
    const { control } = createReplayEngine({ cassette: createTinyCassette(), secret: 's', clock: () => 0 });
    for (const verb of CONTROL_VERB_NAMES) {
      assert.ok(CONTROL_ROUTES.includes(`${verb === 'status' ? 'GET' : 'POST'} ${verb}`), verb);
      const method: keyof ReplayControl = CONTROL_VERBS[verb].method;
      assert.equal(typeof control[method], 'function', verb);
    }
  });
});
