import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { crawlImds } from '../../src/recorder/crawl-imds.js';
import { startTableUpstream, type TableUpstream } from './helpers/table-upstream.js';

/** An upstream whose every directory lists one more directory below it, for ever. */
function selfListing(path: string): { status: number; body: string } | undefined {
  if (path === '/latest/') return { status: 200, body: 'meta-data' };
  if (path.startsWith('/latest/meta-data/') && path.endsWith('/')) return { status: 200, body: 'deeper/\nleaf' };
  if (path.startsWith('/latest/meta-data/') && path.endsWith('/leaf')) return { status: 200, body: 'x' };
  return undefined;
}

describe('a crawl is bounded in depth and time, not only in paths (issue 11 item 8)', () => {
  let upstream: TableUpstream;
  before(async () => {
    upstream = await startTableUpstream(selfListing);
  });
  after(() => upstream.close());

  test('a tree that lists itself ends at the depth bound, with a small cassette', { timeout: 30_000 }, async () => {
    const result = await crawlImds({ upstream: upstream.url, ratePerSecond: 10_000, concurrency: 8, retries: 0 });
    assert.ok(upstream.hits.length < 100, `${upstream.hits.length} requests`);
    assert.ok(JSON.stringify(result.cassette).length < 20_000);
    assert.ok(
      result.errors.some((error) => /not fetched: the tree is deeper than 20 levels/.test(error.reason)),
      JSON.stringify(result.errors),
    );
  });

  test('a slow endless tree ends at the time bound', { timeout: 30_000 }, async () => {
    const slow = await startTableUpstream((path) => {
      const answer = selfListing(path);
      // Wide as well as deep: each listing names ten more directories.
      return answer && path.endsWith('/') && path !== '/latest/'
        ? { status: 200, body: Array.from({ length: 10 }, (_, index) => `d${index}/`).join('\n') }
        : answer;
    });
    try {
      const started = performance.now();
      const result = await crawlImds({
        upstream: slow.url,
        ratePerSecond: 200,
        concurrency: 4,
        retries: 0,
        maxDurationMs: 300,
        maxDepth: 1000,
      });
      assert.ok(performance.now() - started < 5_000, 'the crawl ran on past its time bound');
      assert.ok(
        result.errors.some((error) => /not fetched: the crawl ran longer than 0\.3 s/.test(error.reason)),
        JSON.stringify(result.errors.slice(0, 3)),
      );
    } finally {
      await slow.close();
    }
  });

  test('listed names with control characters are refused and reported escaped', async () => {
    const hostile = await startTableUpstream((path) =>
      path === '/latest/'
        ? { status: 200, body: 'meta-data' }
        : path === '/latest/meta-data/'
          ? { status: 200, body: '\u001b]0;pwned\u0007\nok\n\u009b31mred' }
          : path === '/latest/meta-data/ok'
            ? { status: 200, body: 'fine' }
            : undefined,
    );
    try {
      const result = await crawlImds({ upstream: hostile.url, retries: 0 });
      for (const error of result.errors)
        assert.doesNotMatch(error.path, /[\u0000-\u001f\u007f-\u009f]/, 'a raw control character would reach the terminal');
      const shown = result.errors.map((error) => error.path).join(' ');
      assert.match(shown, /\\x1b\]0;pwned\\x07/);
      assert.match(shown, /\\x9b31mred/);
      assert.equal(result.cassette.entries['/latest/meta-data/ok']?.body, 'fine');
    } finally {
      await hostile.close();
    }
  });
});
