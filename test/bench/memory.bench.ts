// Resident memory of the servers, beside a bare node:http server's, in one run: idle (after the
// first answer and a moment's rest) and peak (VmHWM, after wrk's load on a leaf). For the drop-in
// the targets are AEMM's chart: idle under 48 MB, peak under 96 MB. When the single executables
// are built, a bare server built the same way shows what Node's single-executable runtime itself
// costs. Loopback only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { measureWithWrk } from './replay-child.js';
import { findFreePort, getStatus } from './loopback.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ID = '/latest/meta-data/instance-id';
const SETTLE_MS = 15_000;

/** A /proc/<pid>/status field in MB (VmRSS: now, VmHWM: the peak so far). */
function readMegabytes(child: ChildProcess, field: 'VmRSS' | 'VmHWM'): number {
  const kilobytes = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
  return Number(kilobytes) / 1024;
}

/** Resident memory of one server process, in MB: 1 s and 15 s after its first answer, and its peak under load. */
interface Memory {
  idle: number;
  settled: number;
  peak: number;
}

/** Measures one server process's {@link Memory}. */
async function measureMemory(command: string, args: (port: number) => string[]): Promise<Memory> {
  const port = await findFreePort();
  const child = spawn(command, args(port), { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  try {
    const started = performance.now();
    while ((await getStatus(port, ID)) !== 200) {
      if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode} before answering`);
      if (performance.now() - started > 20_000) throw new Error(`${command} did not answer within 20 s`);
      await sleep(5);
    }
    // Start-up garbage is collected lazily: one second at rest shows what is left right after start;
    // V8's memory reducer runs about 8 s after start, so 15 s shows what a pod settles at when idle.
    await sleep(1000);
    const idle = readMegabytes(child, 'VmRSS');
    await sleep(SETTLE_MS - 1000);
    const settled = readMegabytes(child, 'VmRSS');
    // A generous timeout: on a busy machine a slow answer is no error here, only memory is measured.
    await measureWithWrk(`http://127.0.0.1:${port}${ID}`, SECONDS, 50, 30);
    return { idle, settled, peak: readMegabytes(child, 'VmHWM') };
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve),
    );
  }
}

/**
 * The bare server as a single executable, built as scripts/build-binaries.js builds dist-sea's
 * (CommonJS main, V8 code cache, postject), so both single executables stand beside each other.
 */
function buildBareSingleExecutable(dir: string): string {
  const main = join(dir, 'bare.cjs');
  writeFileSync(
    main,
    "require('node:http').createServer((q, s) => s.end('i-1234567890abcdef0')).listen(Number(process.argv.at(-1)), '127.0.0.1');\n",
  );
  const config = join(dir, 'bare.sea.json');
  const blob = join(dir, 'bare.blob');
  writeFileSync(config, JSON.stringify({ main, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'ignore' });
  const binary = join(dir, 'bare-sea');
  copyFileSync(process.execPath, binary);
  chmodSync(binary, 0o755);
  execFileSync(
    join(root, 'node_modules', '.bin', 'postject'),
    [binary, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'],
    { stdio: 'ignore' },
  );
  return binary;
}

/** Runs the memory comparison and prints one line per server. */
export default async function benchMemory(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aemm-bench-memory-'));
  const bare = join(dir, 'bare.mjs');
  writeFileSync(
    bare,
    "import http from 'node:http';\nhttp.createServer((q, s) => s.end('i-1234567890abcdef0')).listen(Number(process.argv[2]), '127.0.0.1');\n",
  );
  const dropInArgs = (port: number): string[] => ['-n', '127.0.0.1', '-p', String(port)];
  const replayArgs = (port: number): string[] => ['replay', '--port', String(port), '--quiet'];
  // name, command, its arguments, whether the drop-in's targets apply, the index of the bare server it is compared with.
  const contenders: Array<[string, string, (port: number) => string[], boolean, number]> = [
    ['bare node:http server', process.execPath, (port) => [bare, String(port)], false, 0],
    [
      'node bin/ec2-metadata-mock.js',
      process.execPath,
      (port) => [join(root, 'bin', 'ec2-metadata-mock.js'), ...dropInArgs(port)],
      true,
      0,
    ],
    ['node bin/run.js replay', process.execPath, (port) => [join(root, 'bin', 'run.js'), ...replayArgs(port)], false, 0],
  ];
  const seaDropIn = join(root, 'dist-sea', 'ec2-metadata-mock');
  const results: Memory[] = [];
  try {
    if (existsSync(seaDropIn)) {
      contenders.push(['bare node:http server, single executable', buildBareSingleExecutable(dir), (port) => [String(port)], false, 0]);
      contenders.push(['dist-sea/ec2-metadata-mock (single executable)', seaDropIn, dropInArgs, true, contenders.length - 1]);
    }
    for (const [, command, args] of contenders) results.push(await measureMemory(command, args));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `resident memory idle (1 s after the first 200), settled (${SETTLE_MS / 1000} s after it) and peak (VmHWM after ${SECONDS} s of wrk -c50 on ${ID}), Node ${process.version}, load ${loadavg()[0]!.toFixed(2)}`,
  );
  for (const [index, [name, , , dropIn, baseline]] of contenders.entries()) {
    const memory = results[index]!;
    const base = results[baseline]!;
    const versus = baseline === 0 ? '' : ` against ${contenders[baseline]![0]}`;
    const target = dropIn ? '  (target idle < 48 MB, peak < 96 MB)' : '';
    const figure = (key: keyof Memory): string =>
      `${key} ${memory[key].toFixed(1).padStart(5)} MB (${(memory[key] / base[key]).toFixed(2)}×)`;
    console.log(`  ${name.padEnd(48)} ${figure('idle')}  ${figure('settled')}  ${figure('peak')}${versus}${target}`);
  }
}
