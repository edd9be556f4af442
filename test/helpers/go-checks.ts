import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The Go programs under test/eventbridge/ that parse our events with a consumer's own code. */
export type GoCheck = 'nth-check' | 'karpenter-check';

/** Why the Go check cannot run here (no `go` on PATH), or undefined when it can. */
export function findGo(): string | undefined {
  const probe = spawnSync('go', ['version'], { stdio: 'ignore' });
  return probe.error || probe.status !== 0 ? 'the Go toolchain is not installed (go on PATH)' : undefined;
}

/** Builds one of test/eventbridge/*-check (each its own Go module) and returns the binary's path. */
export function buildGoCheck(name: GoCheck): Promise<string> {
  const source = fileURLToPath(new URL(`../eventbridge/${name}/`, import.meta.url));
  const output = join(mkdtempSync(join(tmpdir(), 'aemm-go-')), name);
  return new Promise((resolve, reject) => {
    // Modules come from the Go module proxy and are checked against the committed go.sum.
    const child = spawn('go', ['build', '-o', output, '.'], { cwd: source, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, GOFLAGS: '-mod=readonly' } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(output) : reject(new Error(`go build of ${name} failed (${code}):\n${stderr.slice(-3000)}`))));
  });
}

/** One interruption event as NTH's queue processor made it. */
export interface NthEvent {
  kind: string;
  eventId: string;
  instanceId: string;
  startTime: string;
  description: string;
}

/** Runs the built check against a queue until `count` interruption events came out of NTH. */
export function runNthCheck(binary: string, options: { endpoint: string; queueUrl: string; count: number; zone: string }): Promise<{ events: NthEvent[]; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const args = ['-endpoint', options.endpoint, '-queue-url', options.queueUrl, '-count', String(options.count), '-zone', options.zone, '-timeout', '30s'];
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr, events: stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as NthEvent) }));
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
    child.on('close', (code) => (code === 0 ? resolve(stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as KarpenterMessage)) : reject(new Error(`karpenter-check exited ${code}: ${stderr}`))));
    child.stdin.end(bodies.map((body) => `${body.replace(/\n/g, ' ')}\n`).join(''));
  });
}
