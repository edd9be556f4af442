// CPU per request and throughput of `aemm replay` and `ec2-metadata-mock`, each beside a bare
// node:http server returning fixed bytes, in one run. The load generator (wrk) runs in its own
// process; each server's CPU time is read from /proc/<pid>/stat before and after a
// run, so the figure is the server's own cost, whatever the load generator spends. Then a
// generated 100k-entry cassette: memory at idle against the file's size, and load time against a
// 50k-entry one (linear ≈ 2×). Loopback only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { get } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CONNECTIONS = 50;
// p99 is also read below saturation: each connection pauses this long after every answer, so the
// offered rate is at most CONNECTIONS / PAUSE (5k req/s), a quarter of what these servers sustain here.
// At saturation a closed-loop generator measures its own queue as much as the server.
const PAUSE_MS = 10;
// The bare server's own cost swings by a fifth or more between runs on a shared machine, so the
// sides alternate in short rounds (bare, server, server, bare, …) and each round's ratio is taken
// to the bare round beside it; the table shows the median ratio and the range.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const ROUND_S = Number(process.env.BENCH_ROUND_SECONDS ?? 2);
// Only these kinds (comma-separated names, e.g. `leaf,404`), and only the CPU table or the big cassette.
const ONLY_KINDS = process.env.BENCH_KINDS?.split(',');
const PART = process.env.BENCH_PART;
// With taskset and two cores or more, the servers run on one core and wrk on another, so the
// load generator never takes the measured server's core.
const PIN = spawnSync('taskset', ['-c', '0', 'true']).status === 0 && availableParallelism() >= 2;
const pinned = (core: number, command: string, args: string[]): [string, string[]] =>
  PIN ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];
// A checkout of an earlier commit, built (`npx tsc`), to measure beside this one in the same run.
const BASELINE = process.env.BENCH_BASELINE_DIR;
const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
// The bare server answers each path with fixed bytes: the status, headers and body the measured
// server sent for it (captured once), so the comparison is of the work around the same bytes.
const BARE = `
const http = require('node:http');
const answers = new Map(JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8')).map(([path, status, headers, body]) => [path, [status, headers, Buffer.from(body, 'base64')]]));
const server = http.createServer((req, res) => { const [status, headers, body] = answers.get(req.url); res.writeHead(status, headers); res.end(body); });
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port));
`;

interface Server {
  name: string;
  process: ChildProcess;
  url: string;
}
interface Run {
  requests: number;
  cpuMs: number;
  p99Ms: number;
  errors: number;
}

/** Starts a server process and resolves with its URL once it prints (stdout) or logs (stderr) one. */
function startServer(name: string, args: string[], pattern: RegExp): Promise<Server> {
  // taskset execs the command, so the child's pid is the server's.
  const child = spawn(...pinned(0, process.execPath, args), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', TZ: 'UTC' },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let ready = false;
    const onData = (chunk: Buffer): void => {
      // Once ready, output (the drop-in logs each request) is drained, not kept.
      if (ready) return;
      out += chunk.toString();
      const match = pattern.exec(out);
      if (!match) return;
      ready = true;
      resolve({ name, process: child, url: match[1]!.startsWith('http') ? match[1]! : `http://127.0.0.1:${match[1]}` });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${name} exited ${code}: ${out}`)));
  });
}

/** The exact answer a server gives to a path (status, headers as sent, body), read with node:http so nothing is followed. */
function capture(url: string, headers: Record<string, string>): Promise<[number, Record<string, string>, string]> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const sent: Record<string, string> = {};
        for (let i = 0; i < res.rawHeaders.length; i += 2) {
          // Names as sent (the drop-in's are capitalised as Go's are); node:http adds the last three itself, as it does for the measured server.
          const name = res.rawHeaders[i]!;
          if (!['date', 'connection', 'keep-alive'].includes(name.toLowerCase())) sent[name] = res.rawHeaders[i + 1]!;
        }
        resolve([res.statusCode ?? 0, sent, Buffer.concat(chunks).toString('base64')]);
      });
    }).on('error', reject);
  });
}

async function startBare(server: Server, kinds: Kind[], v2: string, dir: string): Promise<Server> {
  const answers = [];
  for (const kind of kinds)
    answers.push([kind.path, ...(await capture(`${server.url}${kind.path}`, kind.v2 ? { 'x-aws-ec2-metadata-token': v2 } : {}))]);
  const file = join(dir, `answers-${server.process.pid}.json`);
  writeFileSync(file, JSON.stringify(answers));
  return startServer('bare', ['-e', BARE, file], /(http:\/\/127\.0\.0\.1:\d+)/);
}
const startReplay = (root: string, label: string, cassette?: string): Promise<Server> =>
  startServer(
    label,
    [join(root, 'bin/run.js'), 'replay', ...(cassette ? [cassette] : []), '--port', '0', '--quiet'],
    /(http:\/\/127\.0\.0\.1:\d+)/,
  );
const startDropIn = (root: string, label: string): Promise<Server> =>
  startServer(label, [join(root, 'bin/ec2-metadata-mock.js'), '-p', '0', '-n', '127.0.0.1'], / on port (\d+)\n/);

/** User plus system CPU time of a process so far, in ms (all its threads). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

function rssMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
}

const hasWrk = spawnSync('wrk', ['--version']).error === undefined;

/** Runs the load generator in its own process and returns what it counted; `paced` is a wrk script that pauses after each answer. */
async function generate(
  url: string,
  headers: Record<string, string>,
  seconds: number,
  paced?: string,
): Promise<{ requests: number; p99Ms: number; errors: number }> {
  if (hasWrk) {
    const args = [
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      '--latency',
      ...(paced ? ['-s', paced] : []),
      ...Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]),
      url,
    ];
    const child = spawn(...pinned(1, 'wrk', args), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => child.on('exit', resolve));
    const p99 = /99%\s+([\d.]+)(us|ms|s)/.exec(out);
    const unit = p99?.[2] === 'us' ? 0.001 : p99?.[2] === 's' ? 1000 : 1;
    const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
    return {
      requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? 0),
      p99Ms: Number(p99?.[1] ?? Number.NaN) * unit,
      errors: errors ? errors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0,
    };
  }
  throw new Error('The replay bench needs wrk as its load generator, in a process of its own: apt-get install wrk.');
}

async function measure(server: Server, path: string, headers: Record<string, string>, paced?: string): Promise<Run> {
  const pid = server.process.pid!;
  const before = cpuMs(pid);
  const counted = await generate(`${server.url}${path}`, headers, ROUND_S, paced);
  return { ...counted, cpuMs: cpuMs(pid) - before };
}

const perRequestUs = (run: Run): number => (run.cpuMs * 1000) / run.requests;
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const perSecond = (runs: Run[]): number => runs.reduce((sum, run) => sum + run.requests, 0) / (runs.length * ROUND_S);
const worstP99 = (runs: Run[]): number => Math.max(...runs.map((run) => run.p99Ms));

async function token(url: string): Promise<string> {
  return (await fetch(`${url}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '21600' } })).text();
}

interface Kind {
  name: string;
  path: string;
  v2?: boolean;
}

/** Rounds of one kind on a server and its bare twin, alternating bare-first and server-first (ABBA). */
async function alternate(
  server: Server,
  bare: Server,
  kind: Kind,
  headers: Record<string, string>,
  rounds: number,
  paced?: string,
): Promise<Run[][]> {
  const pairs: Run[][] = [];
  for (let round = 0; round < rounds; round++) {
    const sides = [
      async (): Promise<Run> => measure(bare, kind.path, headers, paced),
      async (): Promise<Run> => measure(server, kind.path, headers, paced),
    ];
    const first = round % 2 === 0 ? 0 : 1;
    const done: Run[] = [];
    done[first] = await sides[first]!();
    done[1 - first] = await sides[1 - first]!();
    pairs.push(done);
  }
  return pairs;
}

/** Median and range of the per-round ratios of server to bare CPU per request, and both medians in µs. */
function summarise(pairs: Run[][]): { bareUs: number; us: number; ratio: number; low: number; high: number } {
  const ratios = pairs.map(([b, a]) => perRequestUs(a!) / perRequestUs(b!));
  return {
    bareUs: median(pairs.map(([b]) => perRequestUs(b!))),
    us: median(pairs.map(([, a]) => perRequestUs(a!))),
    ratio: median(ratios),
    low: Math.min(...ratios),
    high: Math.max(...ratios),
  };
}

/** Measures each kind on each server beside a bare one with the same bytes, rounds alternating, and prints the table. */
async function benchCpu(servers: Array<{ server: Server; kinds: Kind[] }>): Promise<void> {
  const pacedRounds = Math.max(2, ROUNDS >> 1);
  console.log(
    `wrk -t1, ${CONNECTIONS} connections, keep-alive, 1 s warm-up, then ${ROUNDS} rounds of ${ROUND_S} s per side at saturation and ${pacedRounds} paced, alternating bare-first and server-first;`,
  );
  console.log(PIN ? 'servers pinned to core 0 and wrk to core 1 (taskset);' : 'not pinned (no taskset or one core);');
  console.log(
    'bare = node:http answering each path with fixed bytes: the status, headers and body the server sent for it, sent the same request headers (the IMDSv2 token);',
  );
  console.log(
    'CPU/req = server process CPU time (user + system, all threads) ÷ requests answered, median of the rounds; ratio = median of each round ÷ the bare round beside it [lowest–highest]; target ≤ 1.15×, p99 ≤ 2 ms',
  );
  console.log(
    `paced: each connection pauses ${PAUSE_MS} ms after each answer (≤ ${(CONNECTIONS * 1000) / PAUSE_MS} req/s offered); p99 is the worst round's`,
  );
  console.log(
    `load average at start: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    'server             kind           │ saturated: bare µs  µs/req  ratio [range]         bare req/s   req/s  bare p99  p99 │ paced: bare µs  µs/req  ratio [range]         bare p99  p99  │ errors',
  );
  const dir = mkdtempSync(join(tmpdir(), 'aemm-bench-'));
  const paced = join(dir, 'paced.lua');
  writeFileSync(paced, `function delay()\n  return ${PAUSE_MS}\nend\n`);
  const fmt = (sum: ReturnType<typeof summarise>): string =>
    `${sum.bareUs.toFixed(1).padStart(7)}  ${sum.us.toFixed(1).padStart(6)}  ${sum.ratio.toFixed(2).padStart(4)}× [${sum.low.toFixed(2)}–${sum.high.toFixed(2)}]`;
  try {
    for (const { server, kinds } of servers) {
      const v2 = await token(server.url);
      const bare = await startBare(server, kinds, v2, dir);
      try {
        for (const kind of kinds) {
          if (ONLY_KINDS && !ONLY_KINDS.includes(kind.name)) continue;
          const headers: Record<string, string> = kind.v2 ? { 'x-aws-ec2-metadata-token': v2 } : {};
          await generate(`${bare.url}${kind.path}`, headers, 1);
          await generate(`${server.url}${kind.path}`, headers, 1);
          const saturated = await alternate(server, bare, kind, headers, ROUNDS);
          const slow = await alternate(server, bare, kind, headers, pacedRounds, paced);
          const runs = saturated.map(([, a]) => a!);
          const bareRuns = saturated.map(([b]) => b!);
          const errors = [...saturated, ...slow].flat().reduce((sum, run) => sum + run.errors, 0);
          console.log(
            `${server.name.padEnd(18)} ${kind.name.padEnd(14)} │ ${fmt(summarise(saturated))}  ${perSecond(bareRuns).toFixed(0).padStart(10)}  ${perSecond(runs).toFixed(0).padStart(6)}  ${worstP99(bareRuns).toFixed(2).padStart(8)}  ${worstP99(runs).toFixed(2).padStart(4)} │ ${fmt(summarise(slow))}  ${worstP99(
              slow.map(([b]) => b!),
            )
              .toFixed(2)
              .padStart(8)}  ${worstP99(slow.map(([, a]) => a!))
              .toFixed(2)
              .padStart(4)} │ ${errors}`,
          );
        }
        console.log(
          `peak RSS under load: ${server.name} ${rssMb(server.process.pid!, 'VmHWM').toFixed(1)} MB, its bare ${rssMb(bare.process.pid!, 'VmHWM').toFixed(1)} MB`,
        );
      } finally {
        bare.process.kill();
      }
    }
    console.log(
      `load average at end: ${loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A cassette of `count` leaves in directories of 100, with realistic small bodies. */
function writeBigCassette(path: string, count: number): number {
  const entries: Record<string, unknown> = {
    '/latest/meta-data/instance-id': { status: 200, headers: { 'content-type': 'text/plain' }, body: 'i-1234567890abcdef0' },
  };
  for (let i = 0; i < count - 1; i++) {
    entries[`/latest/meta-data/bulk/d${Math.floor(i / 100)}/leaf-${i}`] = {
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: `value ${i} ${'x'.repeat(40)}`,
    };
  }
  const text = `${JSON.stringify({ format: 'aemm-cassette/1', meta: { recordedAt: '2026-01-01T00:00:00Z', source: 'bench', recorder: 'bench', redacted: [], synthetic: true }, entries }, null, 2)}\n`;
  writeFileSync(path, text);
  return statSync(path).size;
}

/** Process start to the first 200, and memory once idle, for `aemm replay` of a cassette file. */
async function loadCassette(root: string, path: string): Promise<{ ms: number; rssMb: number }> {
  const started = performance.now();
  const server = await startReplay(root, 'big', path);
  for (;;) {
    const response = await fetch(`${server.url}/latest/meta-data/instance-id`).catch(() => undefined);
    if (response?.status === 200) break;
  }
  const ms = performance.now() - started;
  // Idle: a request through a bulk directory too, then let the collector settle.
  await fetch(`${server.url}/latest/meta-data/bulk/d1/`);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const rss = rssMb(server.process.pid!, 'VmRSS');
  server.process.kill();
  return { ms, rssMb: rss };
}

async function benchBigCassette(roots: Array<[string, string]>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aemm-bench-'));
  try {
    const big = join(dir, 'big.json');
    const half = join(dir, 'half.json');
    const bigSize = writeBigCassette(big, 100_000) / 1024 / 1024;
    writeBigCassette(half, 50_000);
    const idle = await startReplay(roots[0]![1], 'idle');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const baseRss = rssMb(idle.process.pid!, 'VmRSS');
    idle.process.kill();
    console.log(
      `100k-entry cassette: ${bigSize.toFixed(1)} MB on disk; aemm replay of the embedded recording idles at ${baseRss.toFixed(0)} MB RSS`,
    );
    console.log('build                  100k first 200  50k first 200  ratio   100k idle RSS  above embedded  ÷ file size (target ≤ 3)');
    for (const [label, root] of roots) {
      const h = await loadCassette(root, half);
      const b = await loadCassette(root, big);
      console.log(
        `${label.padEnd(22)} ${b.ms.toFixed(0).padStart(11)} ms  ${h.ms.toFixed(0).padStart(10)} ms  ${(b.ms / h.ms).toFixed(2).padStart(5)}×  ${b.rssMb.toFixed(0).padStart(10)} MB  ${(b.rssMb - baseRss).toFixed(0).padStart(11)} MB  ${(b.rssMb / bigSize).toFixed(1)} (above embedded: ${((b.rssMb - baseRss) / bigSize).toFixed(1)})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const IMDS_KINDS: Kind[] = [
  { name: 'leaf', path: '/latest/meta-data/instance-id' },
  { name: 'listing', path: '/latest/meta-data/' },
  { name: 'IMDSv2 leaf', path: '/latest/meta-data/instance-id', v2: true },
  { name: '404', path: '/latest/meta-data/no-such-path' },
  { name: '301', path: '/latest/meta-data/iam' },
  { name: 'credentials', path: '/latest/meta-data/iam/security-credentials/baskinc-role' },
];
// AEMM strips trailing slashes instead of redirecting: its "301" row is the directory without its slash (a listing).
const AEMM_KINDS: Kind[] = IMDS_KINDS.map((kind) => (kind.name === '301' ? { ...kind, name: 'dir, no slash' } : kind));

/** Runs the replay benchmark and prints its tables. */
export default async function benchReplay(): Promise<void> {
  const roots: Array<[string, string]> = [['this build', ROOT], ...(BASELINE ? [[`baseline`, BASELINE] as [string, string]] : [])];
  const servers: Array<{ server: Server; kinds: Kind[] }> = [];
  for (const [label, root] of roots) {
    servers.push({ server: await startReplay(root, `aemm replay${roots.length > 1 ? ` (${label})` : ''}`), kinds: IMDS_KINDS });
    servers.push({ server: await startDropIn(root, `ec2-metadata-mock${roots.length > 1 ? ` (${label})` : ''}`), kinds: AEMM_KINDS });
  }
  try {
    if (PART !== 'big') await benchCpu(servers);
  } finally {
    for (const { server } of servers) server.process.kill();
  }
  if (PART !== 'cpu') await benchBigCassette(roots);
}
