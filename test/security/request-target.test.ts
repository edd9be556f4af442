import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { createPathMatcher } from '../../src/core/create-path-matcher.js';
import { MAX_PATH_LENGTH } from '../../src/core/max-path-length.js';
import { parseTarget } from '../../src/core/parse-target.js';
import { checkProxyTarget } from '../../src/recorder/check-proxy-target.js';
import { startServer } from '../../src/server/start-server.js';
import { send } from '../helpers/http.js';

const UPSTREAM = new URL('http://169.254.169.254');
const proxyContext = {
  upstream: UPSTREAM,
  ownHosts: ['127.0.0.1:1338'],
  host: '127.0.0.1:1338',
  localAddress: '127.0.0.1',
  allowHosts: [],
};
const matcher = createPathMatcher(['**/spot/*', 'spot/*', '/latest/meta-data/iam', 'api/token', 'meta-data/**/x?']);

// Hostile pieces: what a client can put in a request target to make a parser or a matcher work hard.
const piece = fc.constantFrom(
  '/',
  '//',
  '/a',
  '%',
  '%2e',
  '%2E%2e',
  '%2f',
  '%25',
  '..',
  '.',
  '?',
  '#',
  '\\',
  'http://',
  '169.254.169.254',
  ':',
  '@',
  '*',
  'spot',
  'é',
  '\u0000',
  ' ',
  '%zz',
  'latest',
);
const hostileTarget = fc.array(piece, { maxLength: 60 }).map((parts) => parts.join(''));
const anyTarget = fc.oneof(hostileTarget, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }));

/** The fastest of a few runs of `work`, in ms of this process's CPU time (other processes taking the cores do not count). */
function fastest(work: () => void): number {
  let best = Infinity;
  for (let run = 0; run < 7; run++) {
    const started = process.cpuUsage();
    work();
    const used = process.cpuUsage(started);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

describe('the request-target parsers on random and hostile input', () => {
  test('parseTarget never throws, and what it accepts is what the path matcher expects', () => {
    fc.assert(
      fc.property(anyTarget, (target) => {
        const parsed = parseTarget(target);
        if (!parsed) return;
        // The matcher's preconditions: a bounded path from the root, no repeated slashes, no query.
        assert.ok(parsed.rawPath.startsWith('/'), parsed.rawPath);
        assert.ok(parsed.rawPath.length <= MAX_PATH_LENGTH);
        assert.ok(!parsed.rawPath.includes('//') && !/[?#]/.test(parsed.rawPath), parsed.rawPath);
        for (const segment of parsed.segments) assert.ok(segment !== '' && !segment.includes('/'), segment);
        assert.equal(typeof matcher(parsed.rawPath), 'boolean');
        assert.equal(typeof matcher(`/${parsed.segments.join('/')}`), 'boolean');
      }),
      { numRuns: 5000 },
    );
  });

  test('checkProxyTarget never throws, and forwards only bounded paths without dot segments', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyTarget,
          anyTarget.map((path) => `http://169.254.169.254${path}`),
        ),
        (target) => {
          const checked = checkProxyTarget(target, proxyContext);
          if ('status' in checked) {
            assert.ok([400, 403, 414].includes(checked.status));
            return;
          }
          assert.ok(checked.path.startsWith('/') && checked.path.length <= MAX_PATH_LENGTH, checked.path);
          const bare = checked.path.replace(/[?#].*$/, '');
          for (const raw of bare.split('/')) {
            const segment = decodeURIComponent(raw);
            assert.ok(segment !== '.' && segment !== '..' && !segment.includes('/') && !segment.includes('\\'), checked.path);
          }
          assert.equal(typeof matcher(bare), 'boolean');
        },
      ),
      { numRuns: 5000 },
    );
  });

  test('both parsers take time linear in the target, on the worst inputs found', () => {
    const worst = ['/', '%2e', '/a', '%', 'http://169.254.169.254/'];
    for (const unit of worst) {
      const of = (count: number): string => (unit.startsWith('/') || unit.startsWith('http') ? '' : '/') + unit.repeat(count);
      for (const parse of [(target: string) => parseTarget(target), (target: string) => checkProxyTarget(target, proxyContext)]) {
        // Under the cap, where the parsers do their whole work.
        const small = of(Math.floor(MAX_PATH_LENGTH / unit.length / 8));
        const large = of(Math.floor(MAX_PATH_LENGTH / unit.length / 2));
        const once = fastest(() => {
          for (let run = 0; run < 50; run++) parse(small);
        });
        const four = fastest(() => {
          for (let run = 0; run < 50; run++) parse(large);
        });
        assert.ok(four < once * 8 + 2, `${JSON.stringify(unit)}: ${once.toFixed(2)} ms for n, ${four.toFixed(2)} ms for 4n`);
      }
    }
  });

  test('the replay answers an oversized path at once, before any fault glob sees it (issue 11 item 1)', async () => {
    const server = await startServer({ port: 0, mocks: { faults: [{ path: '**/spot/*', status: 503 }] } });
    try {
      const started = performance.now();
      const response = await send(server.url, `/latest/meta-data${'/a'.repeat(4000)}/zz`);
      assert.equal(response.status, 400);
      assert.ok(performance.now() - started < 1000);
      assert.equal((await send(server.url, '/latest/meta-data/instance-id')).status, 200);
    } finally {
      await server.close();
    }
  });
});
