import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Go programs under test/eventbridge/ that parse our events with a consumer's own code. */
export type GoCheck = 'nth-check' | 'karpenter-check';

/** Why the Go check cannot run here (no `go` on PATH), or undefined when it can. */
export function findGo(): string | undefined {
  const probe = spawnSync('go', ['version'], { stdio: 'ignore' });
  return probe.error || probe.status !== 0 ? 'the Go toolchain is not installed (go on PATH)' : undefined;
}

/** Where built checks are kept between runs, one folder per hash of what goes into the build. */
const CHECKS_CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'aemm-tools', 'checks');

/** A hash of everything a check's binary is made from: its own files (go.mod, go.sum, *.go) and the Go version. */
function hashCheck(source: string): string {
  const hash = createHash('sha256').update(execFileSync('go', ['env', 'GOVERSION', 'GOOS', 'GOARCH', 'GOFLAGS'], { encoding: 'utf8' }));
  for (const name of readdirSync(source, { withFileTypes: true })
    .filter((item) => item.isFile())
    .map((item) => item.name)
    .sort())
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(source, name)))
      .update('\0');
  return hash.digest('hex').slice(0, 16);
}

/**
 * Builds one of test/eventbridge/*-check (each its own Go module) and returns the binary's path.
 * Linking NTH's binary costs seconds of CPU even when Go's build cache has every package, so the
 * binary is kept under a hash of its inputs: an edit to the check, its go.sum or Go builds anew.
 */
export function buildGoCheck(name: GoCheck): Promise<string> {
  const source = fileURLToPath(new URL(`../eventbridge/${name}/`, import.meta.url));
  const folder = join(CHECKS_CACHE, `${name}-${hashCheck(source)}`);
  const output = join(folder, name);
  if (existsSync(output)) return Promise.resolve(output);
  mkdirSync(CHECKS_CACHE, { recursive: true });
  const building = mkdtempSync(join(CHECKS_CACHE, `.${name}-`));
  return new Promise((resolve, reject) => {
    // Modules come from the Go module proxy and are checked against the committed go.sum.
    const child = spawn('go', ['build', '-o', join(building, name), '.'], {
      cwd: source,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, GOFLAGS: '-mod=readonly' },
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        rmSync(building, { recursive: true, force: true });
        reject(new Error(`go build of ${name} failed (${code}):\n${stderr.slice(-3000)}`));
        return;
      }
      // A rename makes the binary appear whole or not at all; a concurrent build that won is as good.
      try {
        renameSync(building, folder);
      } catch (error) {
        rmSync(building, { recursive: true, force: true });
        if (!existsSync(output)) {
          reject(error as Error);
          return;
        }
      }
      resolve(output);
    });
  });
}

/** One interruption event as NTH made it: in queue-processor mode (`sqs`) or IMDS mode (`imds`). */
export interface NthEvent {
  channel: 'sqs' | 'imds';
  kind: string;
  eventId: string;
  instanceId: string;
  startTime: string;
  /** When the interruption ends, as NTH read it (scheduled events in IMDS mode). */
  endTime?: string;
  /** The scheduled event's state (IMDS mode). */
  state?: string;
  description: string;
  /** Set instead of the event fields when an IMDS monitor failed (then `kind` names the monitor). */
  error?: string;
}

/**
 * Runs the built check: with `imds`, NTH's IMDS-mode monitors once against that server; then NTH's
 * queue processor on the queue until `count` interruption events came out of it (0: not at all).
 */
export function runNthCheck(
  binary: string,
  options: { endpoint: string; queueUrl: string; count: number; zone: string; imds?: string },
): Promise<{ events: NthEvent[]; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const args = [
      '-endpoint',
      options.endpoint,
      '-queue-url',
      options.queueUrl,
      '-count',
      String(options.count),
      '-zone',
      options.zone,
      '-timeout',
      '30s',
      ...(options.imds ? ['-imds', options.imds] : []),
    ];
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stderr,
        events: stdout
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as NthEvent),
      }),
    );
  });
}

/** What Karpenter's interruption parsers made of one message body. */
export interface KarpenterMessage {
  kind?: string;
  instanceIds?: string[];
  startTime?: string;
  error?: string;
}

/** Runs the built karpenter-check over message bodies, one result per body. */
export function runKarpenterCheck(binary: string, bodies: readonly string[]): Promise<KarpenterMessage[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(
            stdout
              .split('\n')
              .filter(Boolean)
              .map((line) => JSON.parse(line) as KarpenterMessage),
          )
        : reject(new Error(`karpenter-check exited ${code}: ${stderr}`)),
    );
    child.stdin.end(bodies.map((body) => `${body.replace(/\n/g, ' ')}\n`).join(''));
  });
}
