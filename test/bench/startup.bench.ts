// Process start to first 200, median of 10 rounds, for a bare node:http script and both bins from
// `node bin/…` and from the single executables (when `npm run build:binary` built them), measured
// alternately in one run and printed as ratios to the bare script, with the CPU time each process
// had used by then (less noisy than wall time on a busy machine). Loopback only.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort, getStatus } from './loopback.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
// The Node that runs the bare script and `node bin/…` (another version's binary, e.g. 22 for its compile cache).
const NODE = process.env.BENCH_NODE || process.execPath;

/** CPU milliseconds (user + system) a process has used, from /proc/<pid>/stat (10 ms resolution). */
function readCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Milliseconds from spawn until the first 200 for `path` (polling every millisecond or so), and the CPU the process used by then. */
async function timeToFirst200(
  command: string,
  args: (port: number) => string[],
  path: string,
  env: Record<string, string>,
): Promise<{ wall: number; cpu: number }> {
  const port = await findFreePort();
  const started = performance.now();
  const child = spawn(command, args(port), { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1', ...env } });
  try {
    for (;;) {
      if ((await getStatus(port, path)) === 200) return { wall: performance.now() - started, cpu: readCpuMs(child.pid!) };
      if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode} before answering`);
      if (performance.now() - started > 20_000) throw new Error(`${command} did not answer within 20 s`);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve),
    );
  }
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Runs the start-up comparison and prints one line per contender. */
export default async function benchStartup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aemm-bench-startup-'));
  const bare = join(dir, 'bare.mjs');
  writeFileSync(
    bare,
    "import http from 'node:http';\nhttp.createServer((q, s) => s.end('i-1234567890abcdef0')).listen(Number(process.argv[2]), '127.0.0.1');\n",
  );
  const ID = '/latest/meta-data/instance-id';
  const aemm = (port: number): string[] => [join(root, 'bin', 'run.js'), 'replay', '--port', String(port), '--quiet'];
  const dropIn = (port: number): string[] => [join(root, 'bin', 'ec2-metadata-mock.js'), '-n', '127.0.0.1', '-p', String(port)];
  // Each contender: its name, command, arguments, and environment beside the bench's own cache folder.
  const contenders: Array<[string, string, (port: number) => string[], Record<string, string>?]> = [
    ['bare node:http script', NODE, (port) => [bare, String(port)]],
    ['node bin/run.js replay', NODE, aemm],
    ['node bin/ec2-metadata-mock.js', NODE, dropIn],
  ];
  // On a Node with a compile cache (22.1 and later), the bins also run without it, for its share.
  if (execFileSync(NODE, ['-p', "typeof require('node:module').enableCompileCache"], { encoding: 'utf8' }).trim() === 'function') {
    contenders.push(['node bin/run.js replay, compile cache off', NODE, aemm, { NODE_DISABLE_COMPILE_CACHE: '1' }]);
    contenders.push(['node bin/ec2-metadata-mock.js, compile cache off', NODE, dropIn, { NODE_DISABLE_COMPILE_CACHE: '1' }]);
  }
  const seaAemm = join(root, 'dist-sea', 'aemm');
  const seaDropIn = join(root, 'dist-sea', 'ec2-metadata-mock');
  if (existsSync(seaAemm))
    contenders.push(['dist-sea/aemm replay (single executable)', seaAemm, (port) => ['replay', '--port', String(port), '--quiet']]);
  if (existsSync(seaDropIn))
    contenders.push(['dist-sea/ec2-metadata-mock (single executable)', seaDropIn, (port) => ['-n', '127.0.0.1', '-p', String(port)]]);
  if (!existsSync(seaAemm) || !existsSync(seaDropIn)) console.log('(no single executables: run npm run build:binary to include them)');
  const times = contenders.map((): Array<{ wall: number; cpu: number }> => []);
  const loadBefore = loadavg()[0]!;
  try {
    // Warms the page cache and fills the bins' caches (the single executables' assets, Node 22's compile cache) in a folder of the bench's own.
    for (const [, command, args, env] of contenders) await timeToFirst200(command, args, ID, { XDG_CACHE_HOME: dir, ...env });
    for (let round = 0; round < ROUNDS; round++) {
      for (const [index, [, command, args, env]] of contenders.entries())
        times[index]!.push(await timeToFirst200(command, args, ID, { XDG_CACHE_HOME: dir, ...env }));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = median(times[0]!.map((time) => time.wall));
  const baseCpu = median(times[0]!.map((time) => time.cpu));
  console.log(
    `process start to first 200 (GET ${ID}), median of ${ROUNDS}, rounds alternated, Node ${execFileSync(NODE, ['--version'], { encoding: 'utf8' }).trim()}, load ${loadBefore.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
  );
  for (const [index, [name]] of contenders.entries()) {
    const wall = median(times[index]!.map((time) => time.wall));
    const cpu = median(times[index]!.map((time) => time.cpu));
    console.log(
      `  ${name.padEnd(50)} ${wall.toFixed(0).padStart(5)} ms  ${(wall / base).toFixed(2)}× bare (target ≤ 1.25×)  cpu ${cpu.toFixed(0).padStart(4)} ms  ${(cpu / baseCpu).toFixed(2)}× bare`,
    );
  }
}
