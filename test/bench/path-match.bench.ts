// Path globs: one 8 KB path against 20 globs (the matcher alone), and `aemm replay` with 20 fault
// globs set against the same replay without them, same load generator, alternating rounds.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { measureWithWrk, startReplayChild } from './replay-child.js';
import { createPathMatcher } from '../../src/core/create-path-matcher.js';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
const TICK_MS = 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim() || 100);
// Twenty globs of the kinds people set: any depth, anchored, one segment, several stars; none of them matches the served path.
const GLOBS = [
  '**/spot/*',
  'spot/*',
  'api/token',
  '/latest/meta-data/iam/**',
  'meta-data/tags/**',
  'events/**',
  '/latest/dynamic/*/document',
  '*/public-keys/*/openssh-key',
  'network/interfaces/macs/*/ipv6s',
  '**/autoscaling/*',
  'placement/availability-zone?',
  '/latest/user-data',
  'meta-data/*-ids',
  '**/security-credentials/*',
  '/2021-03-23/**',
  'block-device-mapping/ebs*',
  '*/*/*/*/*/*/*/*/deep',
  'local-ipv4s',
  'identity-credentials/ec2/**',
  'metrics/vhostmd',
];

function benchMatcher(): void {
  const path = `/latest/meta-data${'/a'.repeat(4088)}/zz`;
  const match = createPathMatcher(GLOBS);
  const short = '/latest/meta-data/instance-id';
  for (let warm = 0; warm < 50; warm++) match(path);
  const rounds = 500;
  let started = performance.now();
  for (let round = 0; round < rounds; round++) match(path);
  const longMs = (performance.now() - started) / rounds;
  started = performance.now();
  for (let round = 0; round < rounds * 100; round++) match(short);
  const shortUs = ((performance.now() - started) / (rounds * 100)) * 1000;
  // How fast this machine is right now: one plain pass over the same path's characters per glob.
  let sum = 0;
  started = performance.now();
  for (let round = 0; round < rounds; round++)
    for (let glob = 0; glob < GLOBS.length; glob++) for (let at = 0; at < path.length; at++) sum += path.charCodeAt(at);
  const loopMs = (performance.now() - started) / rounds;
  console.log(
    `matcher: ${(path.length / 1024).toFixed(1)} KB path x ${GLOBS.length} globs: ${longMs.toFixed(3)} ms per match (target < 1 ms), ${(longMs / loopMs).toFixed(1)}x a plain loop over its characters ${GLOBS.length} times (${loopMs.toFixed(3)} ms${sum < 0 ? '' : ''}); a real path: ${shortUs.toFixed(2)} µs`,
  );
}

/** User plus system CPU time of a process so far, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** Requests per second and the server's CPU µs per request over one run (after a 1 s warm-up). */
async function measure(url: string, pid: number): Promise<[number, number]> {
  await measureWithWrk(url, 1, CONNECTIONS);
  const before = cpuMs(pid);
  const perSecond = await measureWithWrk(url, DURATION_S, CONNECTIONS);
  return [perSecond, ((cpuMs(pid) - before) * 1000) / (perSecond * DURATION_S)];
}

/** Runs the bench: the matcher alone, then replay req/s with and without 20 fault globs. */
export default async function run(): Promise<void> {
  benchMatcher();
  // Each glob answers 503 on a path nobody asks for, so every request is matched against all 20 and served normally.
  const faults = GLOBS.flatMap((glob) => ['--fault', `${glob}=503`]);
  const plain = await startReplayChild([]);
  const withGlobs = await startReplayChild(faults);
  try {
    const path = '/latest/meta-data/instance-id';
    const rounds: Array<[[number, number], [number, number]]> = [];
    for (let round = 0; round < 3; round++)
      rounds.push([await measure(plain.url + path, plain.process.pid!), await measure(withGlobs.url + path, withGlobs.process.pid!)]);
    const mean = (pick: (round: [[number, number], [number, number]]) => number): number =>
      rounds.reduce((sum, round) => sum + pick(round), 0) / rounds.length;
    const [without, within] = [mean(([[a]]) => a), mean(([, [b]]) => b)];
    const [cpuWithout, cpuWithin] = [mean(([[, a]]) => a), mean(([, [, b]]) => b)];
    console.log(
      `replay ${path}: ${Math.round(without)} req/s without globs, ${Math.round(within)} req/s with ${GLOBS.length} fault globs: ${(within / without).toFixed(2)}x (target >= 0.9x)`,
    );
    // CPU per request is steadier than req/s on a shared machine: its inverse ratio is the throughput a free core would give.
    console.log(
      `  server CPU per request: ${cpuWithout.toFixed(1)} µs without, ${cpuWithin.toFixed(1)} µs with globs: throughput from CPU ${(cpuWithout / cpuWithin).toFixed(2)}x`,
    );
  } finally {
    plain.process.kill();
    withGlobs.process.kill();
  }
}
