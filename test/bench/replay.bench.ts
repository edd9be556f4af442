// aemm replay against a bare node:http server returning a fixed string, same load generator,
// same machine, one after the other: requests/s and p99 per scenario, start-up time, peak RSS.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
const BARE = `
const http = require('node:http');
const server = http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '19' }); res.end('i-1234567890abcdef0'); });
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
`;

interface Child { process: ChildProcess; url: string; startedAt: number }

function startChild(args: string[]): Promise<Child> {
  const startedAt = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (match) resolve({ process: child, url: match[0], startedAt });
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function load(url: string, headers: Record<string, string> = {}): Promise<{ rps: number; p99: number; errors: number }> {
  // One second of warm-up per target, so both are measured with their code already optimised.
  await autocannon({ url, connections: CONNECTIONS, duration: 1, headers });
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S, headers, pipelining: 1 });
  return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

function mean(x: { rps: number; p99: number; errors: number }, y: { rps: number; p99: number; errors: number }) {
  return { rps: (x.rps + y.rps) / 2, p99: Math.max(x.p99, y.p99), errors: x.errors + y.errors };
}

async function timeToFirst200(): Promise<number> {
  const child = spawn(process.execPath, [BIN, 'replay', '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const started = performance.now();
  let out = '';
  const url = await new Promise<string>((resolve) => child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const match = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
    if (match) resolve(match[0]);
  }));
  for (;;) {
    const response = await fetch(`${url}/latest/meta-data/instance-id`).catch(() => undefined);
    if (response?.status === 200) break;
  }
  const elapsed = performance.now() - started;
  child.kill('SIGTERM');
  return elapsed;
}

/** Runs the replay benchmark and prints its table. */
export default async function benchReplay(): Promise<void> {
  const bare = await startChild(['-e', BARE]);
  const replay = await startChild([BIN, 'replay', '--port', '0', '--quiet']);
  const token = await (await fetch(`${replay.url}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' } })).text();
  const scenarios: Array<[string, string, Record<string, string>]> = [
    ['leaf', '/latest/meta-data/instance-id', {}],
    ['listing', '/latest/meta-data/', {}],
    ['IMDSv2 leaf', '/latest/meta-data/instance-id', { 'x-aws-ec2-metadata-token': token }],
  ];
  console.log(`autocannon, ${CONNECTIONS} connections, keep-alive, 1s warm-up + ${DURATION_S}s per run, 2 alternating runs each (p99: worse of the two); bare = node:http returning a fixed string`);
  console.log('scenario      bare req/s  aemm req/s  ratio   bare p99  aemm p99  errors');
  for (const [name, path, headers] of scenarios) {
    // Two alternating rounds each, averaged, so drift on a shared machine hits both sides alike.
    const b1 = await load(`${bare.url}${path}`);
    const a1 = await load(`${replay.url}${path}`, headers);
    const b2 = await load(`${bare.url}${path}`);
    const a2 = await load(`${replay.url}${path}`, headers);
    const b = mean(b1, b2);
    const a = mean(a1, a2);
    console.log(`${name.padEnd(13)} ${b.rps.toFixed(0).padStart(10)}  ${a.rps.toFixed(0).padStart(10)}  ${(a.rps / b.rps).toFixed(2).padStart(5)}x  ${String(b.p99).padStart(6)}ms  ${String(a.p99).padStart(6)}ms  ${a.errors + b.errors}`);
  }
  console.log(`peak RSS under load: aemm replay ${peakRssMb(replay.process.pid!).toFixed(1)} MB, bare ${peakRssMb(bare.process.pid!).toFixed(1)} MB (target < 120 MB)`);
  bare.process.kill();
  replay.process.kill();
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) starts.push(await timeToFirst200());
  starts.sort((x, y) => x - y);
  console.log(`process start to first 200: median ${starts[2]!.toFixed(0)} ms (min ${starts[0]!.toFixed(0)}, max ${starts[4]!.toFixed(0)}; target < 500 ms)`);
}
