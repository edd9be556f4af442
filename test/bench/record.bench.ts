// `aemm record --crawl` against our replay server serving recordings/default.json, side by side
// with a plain sequential crawl written with fetch; loopback only. The crawler runs at its default
// rate limit (and, for comparison, without one), and the server counts what it received per second.
import { loadCassette } from '../../src/cassette/load-cassette.js';
import { crawlImds } from '../../src/recorder/crawl-imds.js';
import { startServer } from '../../src/server/start-server.js';
import { startFakeUpstream } from '../recorder/fake-upstream.js';

const DEFAULT_RATE = 100;

/** A straightforward recursive IMDS walk with fetch, one request at a time, as a script would do it. */
async function crawlSequentially(base: string): Promise<number> {
  const token = await (
    await fetch(`${base}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' } })
  ).text();
  const headers = { 'x-aws-ec2-metadata-token': token };
  let entries = 0;
  const get = async (path: string): Promise<Response> => {
    const response = await fetch(base + path, { headers, redirect: 'manual' });
    if (response.status === 200) entries++;
    return response;
  };
  const walk = async (dir: string): Promise<void> => {
    const response = await get(dir);
    if (response.status !== 200) return;
    for (const name of (await response.text()).split('\n').filter(Boolean)) {
      const indexed = /^(\d+)=/.exec(name);
      if (indexed) await walk(`${dir}${indexed[1]}/`);
      else if (name.endsWith('/') || (dir === '/latest/' && name !== 'user-data')) await walk(`${dir}${name.replace(/\/$/, '')}/`);
      else await (await get(dir + name)).arrayBuffer();
    }
  };
  await (await get('/')).arrayBuffer();
  await walk('/latest/');
  return entries;
}

/** The most requests the server saw in any one-second window. */
function maxPerSecond(times: number[]): number {
  let max = 0;
  for (let start = 0, end = 0; end < times.length; end++) {
    while (times[end]! - times[start]! >= 1000) start++;
    max = Math.max(max, end - start + 1);
  }
  return max;
}

async function time<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await run();
  return { ms: performance.now() - started, value };
}

function row(label: string, ms: number, entries: number, extra = ''): string {
  return `  ${label.padEnd(40)} ${ms.toFixed(0).padStart(6)} ms  ${(entries / (ms / 1000)).toFixed(0).padStart(6)} entries/s${extra}`;
}

/** The plain walk's row, then the default and the unlimited crawl's, each with its ratio to the walk. */
function printCrawlRows(plain: { ms: number; value: number }, limitedMs: number, unlimitedMs: number, entries: number): void {
  console.log(row('plain sequential fetch walk', plain.ms, plain.value));
  const ratio = `  ${(limitedMs / plain.ms).toFixed(1)}x the plain walk's time`;
  console.log(row(`aemm crawl, default (4 at once, ${DEFAULT_RATE} req/s)`, limitedMs, entries, ratio));
  console.log(
    row(
      'aemm crawl, 4 at once, no rate limit',
      unlimitedMs,
      entries,
      `  ${(plain.ms / unlimitedMs).toFixed(2)}x faster than the plain walk`,
    ),
  );
}

export default async function benchRecord(): Promise<void> {
  const cassette = await loadCassette();
  const arrivals: number[] = [];
  const server = await startServer({ cassette, port: 0, onRequest: () => arrivals.push(performance.now()) });
  try {
    // Warm up both paths once (JIT, sockets), then measure.
    await crawlSequentially(server.url);
    await crawlImds({ upstream: server.url, ratePerSecond: Infinity });

    const plain = await time(() => crawlSequentially(server.url));
    arrivals.length = 0;
    const limited = await time(() => crawlImds({ upstream: server.url }));
    const limitedTimes = [...arrivals];
    const unlimited = await time(() => crawlImds({ upstream: server.url, ratePerSecond: Infinity }));
    const entries = Object.keys(limited.value.cassette.entries).length;

    console.log(`crawl of recordings/default.json (${Object.keys(cassette.entries).length} entries) from our replay server on loopback`);
    printCrawlRows(plain, limited.ms, unlimited.ms, entries);
    const busiest = maxPerSecond(limitedTimes);
    console.log(
      `  rate check at the server: ${limitedTimes.length} requests, at most ${busiest} in any 1 s window (limit ${DEFAULT_RATE}): ${busiest <= DEFAULT_RATE ? 'never exceeded' : 'EXCEEDED'}`,
    );
  } finally {
    await server.close();
  }

  // Real IMDS answers in about a millisecond or two, not in microseconds: with that latency,
  // concurrency is where the speed comes from, while the rate limit still caps the load.
  const slow = await startFakeUpstream({ cassette, delayMs: 2 });
  try {
    const plain = await time(() => crawlSequentially(slow.url));
    const limited = await time(() => crawlImds({ upstream: slow.url }));
    const unlimited = await time(() => crawlImds({ upstream: slow.url, ratePerSecond: Infinity }));
    const entries = Object.keys(limited.value.cassette.entries).length;
    console.log('same crawl from an upstream that answers after 2 ms');
    printCrawlRows(plain, limited.ms, unlimited.ms, entries);
  } finally {
    await slow.close();
  }
}
