// Run as a child process: matches a deep path against globs and prints the answer and the time it
// took, so a test can give up on a matcher that backtracks instead of hanging with it.
import { createPathMatcher } from '../../../src/core/create-path-matcher.js';

const [globsJson = '[]', segments = '0', suffix = ''] = process.argv.slice(2);
const path = `/latest/meta-data${'/a'.repeat(Number(segments))}/zz${suffix}`;
const match = createPathMatcher(JSON.parse(globsJson) as string[]);
const started = performance.now();
const matched = match(path);
process.stdout.write(JSON.stringify({ matched, ms: performance.now() - started }));
