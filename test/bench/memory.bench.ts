// Resident memory of the servers, beside a bare node:http server's, in one run: idle (after the
// first answer and a moment's rest) and peak (VmHWM, after wrk's load on a leaf). For the drop-in
// the targets are AEMM's chart: idle under 48 MB, peak under 96 MB. Loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { measureWithWrk } from './replay-child.js';
import { findFreePort, getStatus } from './loopback.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ID = '/latest/meta-data/instance-id';

/** A /proc/<pid>/status field in MB (VmRSS: now, VmHWM: the peak so far). */
function readMegabytes(child: ChildProcess, field: 'VmRSS' | 'VmHWM'): number {
  const kilobytes = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1];
  return Number(kilobytes) / 1024;
}

/** Idle and peak resident memory of one server process, in MB. */
async function measureMemory(command: string, args: (port: number) => string[]): Promise<{ idle: number; peak: number }> {
  const port = await findFreePort();
  const child = spawn(command, args(port), { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  try {
    const started = performance.now();
    while ((await getStatus(port, ID)) !== 200) {
      if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode} before answering`);
      if (performance.now() - started > 20_000) throw new Error(`${command} did not answer within 20 s`);
      await sleep(5);
    }
    // Start-up garbage is collected lazily; a second at rest is what a pod idling between tests looks like.
    await sleep(1000);
    const idle = readMegabytes(child, 'VmRSS');
    // A generous timeout: on a busy machine a slow answer is no error here, only memory is measured.
    await measureWithWrk(`http://127.0.0.1:${port}${ID}`, SECONDS, 50, 30);
    return { idle, peak: readMegabytes(child, 'VmHWM') };
  } finally {
    child.kill('SIGKILL');
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve),
    );
  }
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
  const contenders: Array<[string, string, (port: number) => string[], boolean]> = [
    ['bare node:http server', process.execPath, (port) => [bare, String(port)], false],
    ['node bin/ec2-metadata-mock.js', process.execPath, (port) => [join(root, 'bin', 'ec2-metadata-mock.js'), ...dropInArgs(port)], true],
    ['node bin/run.js replay', process.execPath, (port) => [join(root, 'bin', 'run.js'), ...replayArgs(port)], false],
  ];
  const seaDropIn = join(root, 'dist-sea', 'ec2-metadata-mock');
  if (existsSync(seaDropIn)) contenders.push(['dist-sea/ec2-metadata-mock (single executable)', seaDropIn, dropInArgs, true]);
  const results: Array<{ idle: number; peak: number }> = [];
  try {
    for (const [, command, args] of contenders) results.push(await measureMemory(command, args));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const [base] = results as [{ idle: number; peak: number }];
  console.log(
    `resident memory idle (1 s after the first 200) and peak (VmHWM after ${SECONDS} s of wrk -c50 on ${ID}), Node ${process.version}, load ${loadavg()[0]!.toFixed(2)}`,
  );
  for (const [index, [name, , , dropIn]] of contenders.entries()) {
    const { idle, peak } = results[index]!;
    const target = dropIn ? '  (target idle < 48 MB, peak < 96 MB)' : '';
    console.log(
      `  ${name.padEnd(48)} idle ${idle.toFixed(1).padStart(5)} MB (${(idle / base.idle).toFixed(2)}×)  peak ${peak.toFixed(1).padStart(5)} MB (${(peak / base.peak).toFixed(2)}×)${target}`,
    );
  }
}
