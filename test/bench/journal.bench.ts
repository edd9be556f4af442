// `aemm replay` with the journal off, in memory only (the ring) and in memory plus an NDJSON file,
// same load generator, same machine, alternating rounds: requests/s and the ratio to "off".
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/run.js', import.meta.url));
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
const ROUNDS = 3;

interface Child { process: ChildProcess; url: string }

function startReplay(args: string[]): Promise<Child> {
  const child = spawn(process.execPath, [BIN, 'replay', '--port', '0', '--quiet', ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NO_COLOR: '1' } });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(out);
      if (match) resolve({ process: child, url: match[0] });
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

/** Requests per second wrk (in a process of its own) gets from `url` in `seconds`. */
async function load(url: string, seconds = DURATION_S): Promise<number> {
  if (spawnSync('wrk', ['--version']).error !== undefined) throw new Error('The journal bench needs wrk as its load generator: apt-get install wrk.');
  const child = spawn('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await new Promise((resolve) => child.on('exit', resolve));
  if (/Non-2xx|Socket errors/.test(out)) throw new Error(`${url}: ${out}`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
}

/** Runs the journal benchmark and prints its table. */
export default async function benchJournal(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aemm-journal-bench-'));
  const file = join(dir, 'journal.ndjson');
  const targets: [string, Child][] = [
    ['off', await startReplay(['--journal-size', '0'])],
    ['ring', await startReplay([])],
    ['ring + file', await startReplay(['--journal', file])],
  ];
  const path = '/latest/meta-data/instance-id';
  const totals = new Map<string, number>(targets.map(([name]) => [name, 0]));
  try {
    // One second of warm-up each, then alternating rounds so drift on a shared machine hits all alike.
    for (const [, child] of targets) await load(`${child.url}${path}`, 1);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, child] of targets) totals.set(name, totals.get(name)! + (await load(`${child.url}${path}`)));
    }
  } finally {
    for (const [, child] of targets) child.process.kill();
  }
  console.log(`wrk -t1, ${CONNECTIONS} connections, keep-alive, GET ${path}, ${ROUNDS} alternating rounds of ${DURATION_S}s (target: journal on ≥ 0.9× off)`);
  const off = totals.get('off')! / ROUNDS;
  for (const [name] of targets) {
    const rps = totals.get(name)! / ROUNDS;
    console.log(`journal ${name.padEnd(12)} ${rps.toFixed(0).padStart(8)} req/s  ${(rps / off).toFixed(2)}x`);
  }
  console.log(`journal file: ${(statSync(file).size / 1024 / 1024).toFixed(1)} MB written`);
  rmSync(dir, { recursive: true, force: true });
}
