// Per-request cost of aemm's msw handlers under msw/node against a plain msw handler that returns a
// fixed string, same interceptor, same process, rounds interleaved. Everything is intercepted:
// the network guard refuses any real connection.
import { createRequire } from 'node:module';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { defaultCassette, imdsHandlers } from '../../src/msw/index.js';
import { guardNetwork } from '../msw/guard-network.js';
import { sendRaw } from '../msw/send-raw.js';

const IMDS = 'http://169.254.169.254';
const REQUESTS = Number(process.env.BENCH_MSW_REQUESTS ?? 1000);
const ROUNDS = 5;
const MSW_VERSION = (createRequire(import.meta.url)('msw/package.json') as { version: string }).version;
const INSTANCE_ID = defaultCassette.entries['/latest/meta-data/instance-id']!.body!;

type Send = () => Promise<unknown>;

async function perRequestMs(send: Send): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < REQUESTS; i++) await send();
  return (performance.now() - started) / REQUESTS;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Runs the msw benchmark and prints per-request times and ratios. */
export default async function benchMsw(): Promise<void> {
  const guard = guardNetwork();
  const server = setupServer();
  server.listen({ onUnhandledRequest: 'error' });
  const imds = imdsHandlers({ cassette: defaultCassette });
  const plain = http.all(`${IMDS}/*`, () => new HttpResponse(INSTANCE_ID, { headers: { 'content-type': 'text/plain' } }));
  server.resetHandlers(...imds.handlers);
  const token = await (
    await fetch(`${IMDS}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' } })
  ).text();

  const text =
    (path: string, headers: Record<string, string> = {}): Send =>
    async () =>
      (await fetch(`${IMDS}${path}`, { headers })).text();
  const scenarios: Array<[string, Send]> = [
    ['fetch leaf', text('/latest/meta-data/instance-id')],
    ['fetch listing', text('/latest/meta-data/')],
    ['fetch IMDSv2 leaf', text('/latest/meta-data/instance-id', { 'x-aws-ec2-metadata-token': token })],
    ['node:http leaf', () => sendRaw(IMDS, '/latest/meta-data/instance-id')],
  ];

  console.log(`msw/node ${MSW_VERSION}, ${REQUESTS} sequential requests per round, ${ROUNDS} rounds interleaved, median per request`);
  console.log('scenario            plain ms/req  aemm ms/req  ratio (plain/aemm, target >= 0.8)');
  try {
    for (const [name, send] of scenarios) {
      server.resetHandlers(plain);
      await perRequestMs(send);
      server.resetHandlers(...imds.handlers);
      await perRequestMs(send);
      const plainTimes: number[] = [];
      const aemmTimes: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        server.resetHandlers(plain);
        plainTimes.push(await perRequestMs(send));
        server.resetHandlers(...imds.handlers);
        aemmTimes.push(await perRequestMs(send));
      }
      const p = median(plainTimes);
      const a = median(aemmTimes);
      console.log(`${name.padEnd(19)} ${p.toFixed(4).padStart(12)}  ${a.toFixed(4).padStart(11)}  ${(p / a).toFixed(2).padStart(5)}x`);
    }
  } finally {
    server.close();
    guard.restore();
  }
  if (guard.refused.length > 0) throw new Error(`The msw benchmark tried real connections: ${guard.refused.join(', ')}`);
}
