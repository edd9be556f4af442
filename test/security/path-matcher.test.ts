import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createPathMatcher } from '../../src/core/create-path-matcher.js';
import { matchEachInChild } from './helpers/match-in-child.js';

/** The glob language as a regular expression, applied to the path and each directory above it: a slow but obvious model. */
function modelMatches(globs: readonly string[], path: string): boolean {
  const toSource = (glob: string): string => {
    let source = '';
    for (let at = 0; at < glob.length; at++) {
      const char = glob[at]!;
      if (char === '*' && glob[at + 1] === '*') {
        source += '.*';
        at++;
      } else if (char === '*') source += '[^/]*';
      else if (char === '?') source += '[^/]';
      else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    return (glob.startsWith('/') ? '' : '(?:.*/)?') + source;
  };
  if (globs.length === 0) return false;
  const pattern = new RegExp(`^(?:${globs.map(toSource).join('|')})$`);
  for (let end = 0; end <= path.length; end++) {
    const boundary = end === path.length || path[end - 1] === '/' || path[end] === '/';
    if (boundary && pattern.test(path.slice(0, end))) return true;
  }
  return false;
}

/** The fastest of a few runs of `work`, in ms of this process's CPU time (other processes taking the cores do not count). */
function fastest(work: () => void, runs = 7): number {
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const started = process.cpuUsage();
    work();
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

const deepPath = (segments: number): string => `/latest/meta-data${'/a'.repeat(segments)}/zz`;

describe('path matching is linear in the path (issue 11 item 1)', () => {
  test('a deep path against **/spot/* answers at once instead of backtracking', () => {
    const [answer] = matchEachInChild([{ globs: ['**/spot/*'], segments: 4000 }]);
    assert.ok(answer, 'one 8 KB path did not answer within 5 s');
    assert.equal(answer.matched, false);
  });

  test('a path 7000 levels deep against spot/* neither overflows the stack nor matches', () => {
    const [deep, spot] = matchEachInChild([
      { globs: ['spot/*'], segments: 7000 },
      { globs: ['spot/*'], segments: 7000, suffix: '/spot/instance-action' },
    ]);
    assert.equal(deep?.matched, false);
    assert.equal(spot?.matched, true);
  });

  test('four times the path costs about four times the time, for every kind of glob', () => {
    const globs = ['**/spot/*', 'spot/*', '/latest/**/a/*/b', '*a*a*a*a*a*b', 'meta-data/**/**/x?', '/latest/meta-data/iam'];
    // A matcher that backtracks would hang this process: try the longest path in a child first.
    const answers = matchEachInChild(
      globs.map((glob) => ({ globs: [glob], segments: 40_000 })),
      10_000,
    );
    globs.forEach((glob, index) => assert.ok(answers[index], `${glob}: a 160 KB path did not answer (all six within 10 s)`));
    for (const glob of globs) {
      const match = createPathMatcher([glob]);
      const short = deepPath(10_000);
      const long = deepPath(40_000);
      const once = fastest(() => match(short));
      const four = fastest(() => match(long));
      // Linear gives about 4, quadratic 16. Generous for a shared, busy machine.
      assert.ok(four < once * 10 + 2, `${glob}: ${once.toFixed(2)} ms for n, ${four.toFixed(2)} ms for 4n`);
    }
  });

  test('matches what the glob language says, on random and hostile globs and paths', () => {
    const pathChars = fc.constantFrom('/', '/', 'a', 'b', '-', '.', '*', '?', '%', '\u0000', 'é');
    const globChars = fc.constantFrom('/', 'a', 'b', '*', '*', '?', '.', '-', '[', '(', '\\', '+');
    const glob = fc.string({ unit: globChars, minLength: 1, maxLength: 12 }).filter((text) => text.trim() !== '');
    fc.assert(
      fc.property(fc.array(glob, { minLength: 0, maxLength: 3 }), fc.string({ unit: pathChars, maxLength: 24 }), (globs, path) => {
        assert.equal(createPathMatcher(globs)(path), modelMatches(globs, path));
      }),
      { numRuns: 3000 },
    );
  });

  test('globs longer than a machine word match what the glob language says too', () => {
    const chars = fc.constantFrom('/', 'a', 'b', '*', '?', '-');
    const long = fc.string({ unit: chars, minLength: 33, maxLength: 70 }).filter((text) => text.trim() !== '');
    fc.assert(
      fc.property(long, fc.string({ unit: fc.constantFrom('/', 'a', 'b', '-'), maxLength: 60 }), (glob, path) => {
        assert.equal(createPathMatcher([glob])(path), modelMatches([glob], path));
      }),
      { numRuns: 1500 },
    );
  });

  test('never throws on any string, however long the glob', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ minLength: 1, maxLength: 80 }).filter((text) => text.trim() !== ''),
          { maxLength: 4 },
        ),
        fc.string({ maxLength: 300 }),
        (globs, path) => {
          assert.equal(typeof createPathMatcher(globs)(path), 'boolean');
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('a glob longer than one machine word still matches across the word boundary', () => {
    const path = '/latest/meta-data/network/interfaces/macs/0e:49:61:0f:c3:11/ipv6s';
    assert.equal(createPathMatcher(['/latest/meta-data/network/interfaces/macs/*/ipv6s'])(path), true);
    assert.equal(createPathMatcher(['/latest/meta-data/network/interfaces/macs/*/ipv6'])(path), false);
    const long = `/latest/meta-data/tags/instance/${'k'.repeat(70)}`;
    assert.equal(createPathMatcher([`/latest/meta-data/tags/instance/${'?'.repeat(70)}`])(long), true);
    assert.equal(createPathMatcher([`/latest/meta-data/tags/instance/${'?'.repeat(71)}`])(long), false);
    assert.equal(createPathMatcher([`tags/*/${'k'.repeat(69)}?`])(long), true);
  });
});
