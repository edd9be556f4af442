import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./match-deep-path.ts', import.meta.url));

/**
 * Matches `/latest/meta-data` + `/a`×segments + `/zz` + suffix against `globs` in a child process
 * and returns its answer, or undefined when it did not answer within `timeoutMs` (it is killed).
 */
export function matchInChild(globs: readonly string[], segments: number, suffix = '', timeoutMs = 5_000): { matched: boolean; ms: number } | undefined {
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, JSON.stringify(globs), String(segments), suffix], { timeout: timeoutMs, encoding: 'utf8' });
  if (run.status !== 0) {
    if (run.signal) return undefined;
    throw new Error(`the matcher failed: ${run.stderr.slice(0, 500)}`);
  }
  return JSON.parse(run.stdout) as { matched: boolean; ms: number };
}
