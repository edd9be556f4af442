// `aemm replay` with the journal off, in memory only (the ring) and in memory plus an NDJSON file,
// same load generator, same machine, alternating rounds: requests/s and the ratio to "off".
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureWithWrk, startReplayChild, type ReplayChild } from './replay-child.js';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
const ROUNDS = 3;

/** Runs the journal benchmark and prints its table. */
export default async function benchJournal(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aemm-journal-bench-'));
  const file = join(dir, 'journal.ndjson');
  const targets: [string, ReplayChild][] = [
    ['off', await startReplayChild(['--journal-size', '0'])],
    ['ring', await startReplayChild([])],
    ['ring + file', await startReplayChild(['--journal', file])],
  ];
  const path = '/latest/meta-data/instance-id';
  const totals = new Map<string, number>(targets.map(([name]) => [name, 0]));
  try {
    // One second of warm-up each, then alternating rounds so drift on a shared machine hits all alike.
    for (const [, child] of targets) await measureWithWrk(`${child.url}${path}`, 1, CONNECTIONS);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, child] of targets)
        totals.set(name, totals.get(name)! + (await measureWithWrk(`${child.url}${path}`, DURATION_S, CONNECTIONS)));
    }
  } finally {
    for (const [, child] of targets) child.process.kill();
  }
  console.log(
    `wrk -t1, ${CONNECTIONS} connections, keep-alive, GET ${path}, ${ROUNDS} alternating rounds of ${DURATION_S}s (target: journal on ≥ 0.9× off)`,
  );
  const off = totals.get('off')! / ROUNDS;
  for (const [name] of targets) {
    const rps = totals.get(name)! / ROUNDS;
    console.log(`journal ${name.padEnd(12)} ${rps.toFixed(0).padStart(8)} req/s  ${(rps / off).toFixed(2)}x`);
  }
  console.log(`journal file: ${(statSync(file).size / 1024 / 1024).toFixed(1)} MB written`);
  rmSync(dir, { recursive: true, force: true });
}
