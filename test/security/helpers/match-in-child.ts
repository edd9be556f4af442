import { spawnSync } from 'node:child_process';

/**
 * The child's script. It imports the built matcher (`node test/run.js` builds dist/ before any
 * test) so the child is plain node: starting tsx would cost it five times the CPU.
 */
const SCRIPT = `
import { createPathMatcher } from ${JSON.stringify(new URL('../../../dist/core/create-path-matcher.js', import.meta.url).href)};
for (const { globs, segments, suffix = '' } of JSON.parse(process.argv[1])) {
  const path = '/latest/meta-data' + '/a'.repeat(segments) + '/zz' + suffix;
  const match = createPathMatcher(globs);
  const started = performance.now();
  const matched = match(path);
  process.stdout.write(JSON.stringify({ matched, ms: performance.now() - started }) + '\\n');
}
`;

/** One match for the child: `/latest/meta-data` + `/a`×segments + `/zz` + suffix against `globs`. */
export interface DeepMatch {
  globs: readonly string[];
  segments: number;
  suffix?: string;
}

/** A match's answer from the child, or undefined when it did not answer in time. */
type ChildAnswer = { matched: boolean; ms: number } | undefined;

/**
 * Runs the matches in turn in one child process, so a test can give up on a matcher that
 * backtracks instead of hanging with it: the child is killed after `timeoutMs`, and the matches it
 * had not answered by then are undefined.
 */
export function matchEachInChild(matches: readonly DeepMatch[], timeoutMs = 5_000): ChildAnswer[] {
  const run = spawnSync(process.execPath, ['--input-type=module', '--eval', SCRIPT, JSON.stringify(matches)], {
    timeout: timeoutMs,
    encoding: 'utf8',
  });
  if (run.status !== 0 && !run.signal) throw new Error(`the matcher failed: ${run.stderr.slice(0, 500)}`);
  const answers = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { matched: boolean; ms: number });
  return matches.map((_, index) => answers[index]);
}
